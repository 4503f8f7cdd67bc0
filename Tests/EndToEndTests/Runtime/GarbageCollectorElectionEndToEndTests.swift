import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Two `concord server --storage etcd` processes on one etcd elect one garbage collector through the Lease
/// `kube-system/concord-garbage-collector`; after `kill -9` of the holder the other collects.
@Suite(.serialized) struct GarbageCollectorElectionEndToEndTests {
    static let lease = ["-n", "kube-system", "get", "lease", "concord-garbage-collector"]

    @Test func onlyTheHolderCollectsAndAfterItIsKilledTheOtherCollectsWithinTheLeaseDuration() async throws {
        let dir = try makeTempDirectory("concord-gc-election")
        defer { removeTestDirectory(dir) }
        let etcd = try await SharedTestEtcd.shared.cluster()
        let token = "gc-election-\(UUID().uuidString.prefix(8))"
        let flags = [
            "--storage", "etcd", "--etcd-endpoints", etcd.endpointsArgument, "--etcd-prefix", "/concord-gc-election-\(UUID().uuidString.prefix(8))",
            "--insecure-plain-http", "--token", token, "--log-level", "debug",
            "--leader-elect-lease-duration", "3s", "--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "500ms",
        ]
        let servers = [
            try await ServerProcess.start(dataDir: dir.appendingPathComponent("hub-1"), logName: "hub-1", extraArguments: flags),
            try await ServerProcess.start(dataDir: dir.appendingPathComponent("hub-2"), logName: "hub-2", extraArguments: flags),
        ]
        defer { servers.forEach { $0.process.signal(SIGKILL) } }
        let logs = { servers.map(\.process.log).joined(separator: "\n----\n") }
        var holderIndex: Int?
        #expect(await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            let holding = servers.indices.filter { servers[$0].process.log.contains("Acquired the lease: this server runs the garbage collector") }
            holderIndex = holding.count == 1 ? holding[0] : nil
            return holderIndex != nil
        }, "not exactly one server acquired the lease:\n\(logs())")
        let holder = servers[try #require(holderIndex)], other = servers[1 - holderIndex!]
        let kubectl = try Kubectl(kubeconfig: other.kubeconfig)
        let holderIdentity = try await kubectl.run(Self.lease + ["-o", "jsonpath={.spec.holderIdentity}"]).stdout
        #expect(holder.process.log.contains("identity=\(holderIdentity)"), "the Lease names \(holderIdentity)")

        try await collect("first", kubectl: kubectl, timeout: .seconds(30))
        #expect(holder.process.log.contains("Collecting dependent"))
        #expect(!other.process.log.contains("Collecting dependent"), "the server without the lease collected:\n\(other.process.log)")

        holder.process.signal(SIGKILL)
        #expect(await holder.process.waitForExit(timeout: .seconds(10)) != nil)
        let clock = ContinuousClock()
        let killed = clock.now
        let collected = try await collect("second", kubectl: kubectl, timeout: .seconds(30))
        let failover = clock.now - killed
        print("concord elected garbage collector: dependents of an owner deleted after kill -9 of the holder were collected by the other server \(failover) after the kill (lease 3 s, renew deadline 2 s, retry 500 ms)")
        #expect(collected)
        #expect(failover <= .seconds(3) + .seconds(6), "collecting after the kill took \(failover)")
        #expect(other.process.log.contains("Acquired the lease: this server runs the garbage collector"))
        let taken = try await kubectl.run(Self.lease + ["-o", "jsonpath={.spec.holderIdentity} {.spec.leaseTransitions}"]).stdout
        #expect(taken != "\(holderIdentity) 0" && taken.hasSuffix(" 1"), "the Lease after the kill: \(taken)")
    }

    /// Creates `owner` with three dependents through kubectl, deletes the owner, and waits for the dependents to go.
    @discardableResult
    func collect(_ owner: String, kubectl: Kubectl, timeout: Duration) async throws -> Bool {
        #expect(try await kubectl("create", "configmap", owner).succeeded)
        let uid = try await kubectl("get", "configmap", owner, "-o", "jsonpath={.metadata.uid}").stdout
        let dependents = (0..<3).map { i in
            """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: \(owner)-dep-\(i)
              ownerReferences:
              - {apiVersion: v1, kind: ConfigMap, name: \(owner), uid: "\(uid)"}
            ---
            """
        }.joined(separator: "\n")
        let applied = try await kubectl("apply", "-f", "-", stdin: dependents)
        #expect(applied.succeeded, "\(applied.stderr)")
        #expect(try await kubectl("delete", "configmap", owner).succeeded)
        let gone = try await eventually(timeout: timeout, every: .milliseconds(50)) {
            let left = try await kubectl("get", "configmaps", "-o", "name").stdout
            return !(0..<3).contains { left.contains("configmap/\(owner)-dep-\($0)") }
        }
        #expect(gone, "the dependents of \(owner) were not collected")
        return gone
    }
}
