import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// Servers sharing etcd elect one garbage collector through the Lease `kube-system/concord-garbage-collector`;
/// a server of its own (SQLite) collects without one.
@Suite("Elected garbage collector", .timeLimit(.minutes(3)))
struct ElectedGarbageCollectorTests {
    static let cms = "/api/v1/namespaces/default/configmaps"
    static let lease = "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/concord-garbage-collector"
    /// Short timings, so the test waits seconds, not client-go's 15 s.
    static let leaseDuration = Duration.seconds(3)

    static func configure(
        _ identity: String, etcd: EtcdStorageConfiguration, log: CapturedLog, leaseDuration: Duration = leaseDuration
    ) -> (inout ControlPlaneConfiguration) -> Void {
        { config in
            config.makeStore = DefaultStore.etcd(etcd)
            config.logger = log.logger(level: .debug)
            config.garbageCollectorElection = .garbageCollector(identity: identity)
            (config.garbageCollectorElection.leaseDuration, config.garbageCollectorElection.renewDeadline) = (leaseDuration, .seconds(2))
            config.garbageCollectorElection.retryPeriod = .milliseconds(500)
        }
    }

    /// Creates `owner` with three dependents, deletes the owner and waits until its dependents are gone.
    static func collect(_ owner: String, through client: APIClient, timeout: Duration) async throws {
        let created = try await client.post(cms, Fixtures.configMap(owner)).json
        for i in 0..<3 {
            #expect(try await client.post(cms, GarbageCollectionTests.dependent("\(owner)-dep-\(i)", owners: [created])).status == 201)
        }
        #expect(try await client.delete(cms + "/\(owner)").status == 200)
        try await waitUntil("the dependents of \(owner) to be collected", timeout: timeout, every: .milliseconds(50)) {
            for i in 0..<3 where try await client.get(cms + "/\(owner)-dep-\(i)").status != 404 { return false }
            return true
        }
    }

    @Test func onlyTheLeaseHolderCollectsAndTheOtherTakesOverWhenTheHolderIsKilled() async throws {
        let etcd = try await SharedTestEtcd.shared.configuration()
        let oneLog = CapturedLog(), twoLog = CapturedLog()
        var oneConfiguration = ControlPlaneConfiguration(
            dataDirectory: FileManager.default.temporaryDirectory.appendingPathComponent("concord-gc-one-\(UUID().uuidString)").path, port: 0)
        Self.configure("one", etcd: etcd, log: oneLog)(&oneConfiguration)
        defer { TemporaryFiles.remove(oneConfiguration.dataDirectory) }
        let one = ControlPlaneServer(configuration: oneConfiguration)
        try await withThrowingTaskGroup(of: Void.self) { victim in
            victim.addTask { try await one.run() }
            try await waitUntil("server one to hold the lease", timeout: .seconds(30)) { one.garbageCollector.isLeading }
            try await withTestControlPlane(configure: Self.configure("two", etcd: etcd, log: twoLog)) { plane in
                let two = plane.server, client = APIClient(plane)
                try await waitUntil("server two to see one holding the lease", timeout: .seconds(30)) { two.garbageCollector.holder == "one" }
                let held = try await client.get(Self.lease)
                #expect(held.status == 200)
                #expect(held.json.value(at: ["spec", "holderIdentity"]) == "one")
                #expect(held.json.value(at: ["spec", "leaseDurationSeconds"]) == 3)

                try await Self.collect("first", through: client, timeout: .seconds(30))
                #expect(oneLog.text.contains("Collecting dependent"))
                #expect(!twoLog.text.contains("Collecting dependent"), "the server without the lease collected")
                #expect(!two.garbageCollector.isLeading && two.garbageCollector.acquisitions == 0)

                // kill -9 of the holder: its tasks end, nothing is handed back.
                victim.cancelAll()
                while await victim.nextResult() != nil {}
                let killed = ContinuousClock.now
                #expect(!oneLog.text.contains("Released the lease"))
                try await waitUntil("server two to take the lease over", timeout: .seconds(30), every: .milliseconds(20)) { two.garbageCollector.isLeading }
                let failover = ContinuousClock.now - killed
                // Not before the lease expired (the last renewal one saw may be a retry period old); within the
                // lease duration of the last renewal two saw, plus its jittered attempt and a loaded machine's slack.
                #expect(failover >= Self.leaseDuration - .milliseconds(1_200), "took over after \(failover)")
                #expect(failover <= Self.leaseDuration + .seconds(3), "took over after \(failover)")

                try await Self.collect("second", through: client, timeout: .seconds(30))
                #expect(twoLog.text.contains("Collecting dependent"))
                let taken = try await client.get(Self.lease).json
                #expect(taken.value(at: ["spec", "holderIdentity"]) == "two")
                #expect(taken.value(at: ["spec", "leaseTransitions"]) == 1)
            }
        }
    }

    @Test func aServerStoppedGracefullyHandsTheLeaseBack() async throws {
        let etcd = try await SharedTestEtcd.shared.configuration()
        let log = CapturedLog()
        // A lease of 10 minutes: only a handed-back lease lets the next server collect within the test's time.
        try await withTestControlPlane(configure: Self.configure("one", etcd: etcd, log: log, leaseDuration: .seconds(600))) { plane in
            try await waitUntil("the server to hold the lease", timeout: .seconds(30)) { plane.server.garbageCollector.isLeading }
        }
        #expect(log.text.contains("Released the lease"))
        try await withTestControlPlane(configure: Self.configure("two", etcd: etcd, log: CapturedLog(), leaseDuration: .seconds(600))) { plane in
            try await waitUntil("the next server to take the handed-back lease", timeout: .seconds(30)) { plane.server.garbageCollector.isLeading }
            try await Self.collect("owner", through: APIClient(plane), timeout: .seconds(30))
            let lease = try await APIClient(plane).get(Self.lease).json
            #expect(lease.value(at: ["spec", "holderIdentity"]) == "two")
            #expect(lease.value(at: ["spec", "leaseTransitions"]) == 1)
        }
    }

    @Test func aServerOnEtcdWithInvalidElectionTimingsRefusesToStartSayingWhy() async throws {
        let etcd = try await SharedTestEtcd.shared.configuration()
        let error = await #expect(throws: ControlPlaneError.self) {
            try await withTestControlPlane(configure: Self.configure("one", etcd: etcd, log: CapturedLog(), leaseDuration: .seconds(2))) { _ in }
        }
        #expect(error?.message.contains("the garbage collector's leader election (kube-system/concord-garbage-collector)") == true, "\(String(describing: error))")
        #expect(error?.message.contains("must be greater than the renew deadline") == true, "\(String(describing: error))")
    }

    @Test func aServerOfItsOwnCollectsWithoutALease() async throws {
        try await withTestControlPlane { plane in
            let client = APIClient(plane)
            #expect(plane.server.garbageCollector.isLeading)
            try await Self.collect("owner", through: client, timeout: .seconds(20))
            #expect(try await client.get(Self.lease).status == 404)
        }
    }
}
