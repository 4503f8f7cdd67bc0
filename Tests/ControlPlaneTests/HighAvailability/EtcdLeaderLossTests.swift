import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Synchronization
import Testing

/// Jepsen-style leader loss: two control planes on a 3-member etcd take writes while the etcd leader is
/// killed with SIGKILL, again and again. `CONCORD_HA_LEADER_KILLS` sets how many kills (2 by default;
/// `hack/ha/leader-kills.sh` runs many more).
@Suite("Leader loss under sustained writes", .serialized)
struct EtcdLeaderLossTests {
    static let cms = "/api/v1/namespaces/default/configmaps"

    @Test func acknowledgedWritesSurviveLeaderKillsAndWatchesSeeEachOnce() async throws {
        let kills = Int(ProcessInfo.processInfo.environment["CONCORD_HA_LEADER_KILLS"] ?? "") ?? 2
        let cluster = try await LocalEtcd.start(members: 3)
        defer { cluster.stop() }
        let etcd = EtcdStorageConfiguration(endpoints: cluster.clientURLs, prefix: "/concord", compactionInterval: .zero, requestTimeout: .seconds(3))
        var reversed = etcd
        reversed.endpoints.reverse()
        try await withTestControlPlane(configure: { $0.makeStore = DefaultStore.etcd(etcd) }) { one in
            try await withTestControlPlane(configure: { $0.makeStore = DefaultStore.etcd(reversed) }) { two in
                let servers = [APIClient(one), APIClient(two)]
                let start = try #require(try await servers[1].get(Self.cms).json.value(at: ["metadata", "resourceVersion"])?.stringValue)
                let stream = try await servers[1].watch(Self.cms + "?watch=true&resourceVersion=\(start)")
                let history = WriteHistory()
                let seen = WatchRecord()
                let recoveries = try await withThrowingTaskGroup(of: [Duration].self) { group in
                    // The watcher keeps up with the writes, as a client does, until it has every acknowledged write.
                    group.addTask {
                        await seen.follow(stream) { history.finished == servers.count && Set(history.result.ok.keys).isSubset(of: Set(seen.revisions.keys)) }
                        return []
                    }
                    for (index, server) in servers.enumerated() {
                        group.addTask {
                            var n = 0
                            while !history.stopped {
                                n += 1
                                await history.write(name: "w\(index)-\(n)", through: server)
                            }
                            history.writerFinished()
                            return []
                        }
                    }
                    let recoveries = try await Self.killLeaders(kills, cluster: cluster, history: history)
                    history.stop()
                    var all: [Duration] = []
                    for try await r in group { all += r }
                    return all + recoveries
                }
                let result = history.result
                print("concord leader-loss: \(kills) leader kills; writes invoked \(result.invoked), ok \(result.ok.count), failed \(result.failed), unknown \(result.unknown); recoveries \(recoveries)")
                #expect(result.ok.count > kills, "too few writes were acknowledged: \(result)")
                #expect(recoveries.allSatisfy { $0 < .seconds(10) }, "writes resumed too slowly: \(recoveries)")
                // Every acknowledged write is present at its resourceVersion; revisions are unique.
                let listed = try await servers[0].get(Self.cms).json["items"]?.arrayValue ?? []
                var present: [String: String] = [:]
                for item in listed {
                    if let name = item.value(at: ["metadata", "name"])?.stringValue { present[name] = item.value(at: ["metadata", "resourceVersion"])?.stringValue }
                }
                let lost = result.ok.filter { present[$0.key] != $0.value }
                #expect(lost.isEmpty, "acknowledged writes lost or changed: \(lost)")
                #expect(Set(result.ok.values).count == result.ok.count, "two acknowledged writes share a revision")
                // The watch opened before the first kill sees every acknowledged write exactly once, in order.
                #expect(seen.failure == nil, "the watch failed: \(seen.failure ?? "")")
                #expect(seen.duplicates.isEmpty, "watch duplicates: \(seen.duplicates)")
                #expect(seen.outOfOrder == 0, "watch events out of revision order: \(seen.outOfOrder)")
                let gaps = result.ok.filter { seen.revisions[$0.key] != $0.value }
                #expect(gaps.isEmpty, "acknowledged writes the watch missed: \(gaps)")
                // A stale update is still refused.
                let name = try #require(result.ok.keys.first)
                var stale = Fixtures.configMap(name)
                stale.setValue(.string(start), at: ["metadata", "resourceVersion"])
                #expect(try await servers[1].put(Self.cms + "/\(name)", stale).status == 409)
            }
        }
    }

    /// Kills the leader `kills` times; after each kill, waits for the next acknowledged write, restarts the
    /// member and waits for the cluster to be whole. Returns how long writes took to resume after each kill.
    static func killLeaders(_ kills: Int, cluster: LocalEtcd, history: WriteHistory) async throws -> [Duration] {
        var recoveries: [Duration] = []
        let clock = ContinuousClock()
        for _ in 0..<kills {
            var leader: Int?
            try await waitUntil("an etcd leader", timeout: .seconds(15), every: .milliseconds(50)) {
                leader = try await cluster.leader()
                return leader != nil
            }
            let acknowledged = history.result.ok.count
            try await waitUntil("writes before the kill", timeout: .seconds(15)) { history.result.ok.count >= acknowledged + 5 }
            let victim = try #require(leader)
            let killed = clock.now
            let before = history.result.ok.count
            cluster.kill(member: victim)
            try await waitUntil("writes to resume after killing the leader", timeout: .seconds(15)) { history.result.ok.count > before + 1 }
            recoveries.append(clock.now - killed)
            try cluster.restart(member: victim)
            try await cluster.waitUntilServing()
        }
        return recoveries
    }

}

/// What the writers did, Jepsen style: each write is acknowledged (with its resourceVersion), failed
/// (refused, so certainly not applied) or unknown (the answer was lost).
final class WriteHistory: Sendable {
    struct Result: Sendable, CustomStringConvertible {
        var invoked = 0
        var ok: [String: String] = [:]
        var failed = 0
        var unknown = 0
        var description: String { "invoked \(invoked), ok \(ok.count), failed \(failed), unknown \(unknown)" }
    }

    private let state = Mutex<(result: Result, stopped: Bool, finished: Int)>((Result(), false, 0))

    var result: Result { state.withLock { $0.result } }
    var stopped: Bool { state.withLock { $0.stopped } }
    /// How many writers have made their last write.
    var finished: Int { state.withLock { $0.finished } }
    func stop() { state.withLock { $0.stopped = true } }
    func writerFinished() { state.withLock { $0.finished += 1 } }

    /// Creates a ConfigMap `name` through `server` and records the outcome.
    func write(name: String, through server: APIClient) async {
        state.withLock { $0.result.invoked += 1 }
        do {
            let reply = try await server.post(EtcdLeaderLossTests.cms, Fixtures.configMap(name))
            let rv = reply.json.value(at: ["metadata", "resourceVersion"])?.stringValue
            state.withLock { s in
                if reply.status == 201, let rv {
                    s.result.ok[name] = rv
                } else if reply.status >= 500 {
                    s.result.unknown += 1
                } else {
                    s.result.failed += 1
                }
            }
        } catch {
            state.withLock { $0.result.unknown += 1 }
        }
    }
}

/// What a watch delivered: each object's resourceVersion, names delivered twice, events out of order.
final class WatchRecord: Sendable {
    private let state = Mutex<(revisions: [String: String], duplicates: [String], outOfOrder: Int, last: Int64, failure: String?)>(([:], [], 0, 0, nil))

    var revisions: [String: String] { state.withLock { $0.revisions } }
    var duplicates: [String] { state.withLock { $0.duplicates } }
    var outOfOrder: Int { state.withLock { $0.outOfOrder } }
    var failure: String? { state.withLock { $0.failure } }

    /// Reads `stream` until `done()` holds after an event; a failure of the stream (such as no event for the
    /// client's read timeout) is recorded.
    func follow(_ stream: WatchLines, until done: @Sendable () -> Bool) async {
        var events = stream.makeAsyncIterator()
        do {
            while let event = try await events.next() {
                record(event)
                if done() { return }
            }
            state.withLock { $0.failure = "the watch ended" }
        } catch {
            if !done() { state.withLock { $0.failure = "\(error)" } }
        }
    }

    private func record(_ event: JSONValue) {
        guard let name = event.value(at: ["object", "metadata", "name"])?.stringValue,
            let rv = event.value(at: ["object", "metadata", "resourceVersion"])?.stringValue, let revision = Int64(rv)
        else { return }
        state.withLock { s in
            if s.revisions[name] != nil { s.duplicates.append(name) }
            if revision <= s.last { s.outOfOrder += 1 }
            s.last = revision
            s.revisions[name] = rv
        }
    }
}
