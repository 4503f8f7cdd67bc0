import ConcordTesting
import FederationAPI
import Foundation
import KubeClient
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The replication controller killed (`kill -9`) at ten seeded moments while the source takes a
/// steady stream of creates, updates and deletes, and started again each time: once the writes stop,
/// every target holds exactly the source's selected objects with the source's content, so nothing
/// acknowledged at the source is lost, no deleted object is resurrected, and no replica is left over.
@Suite(.serialized) struct ReplicationControllerKillTests {
    static let kills = 10
    static let configMaps = GroupVersionResource(group: "", version: "v1", resource: "configmaps")

    @Test func everyTargetConvergesAfterTenKillsDuringWrites() async throws {
        let seed = SeededGenerator.seed(fromEnvironment: "CONCORD_REPLICATION_KILL_SEED", fallback: 0x5EED_0011, environment: ProcessInfo.processInfo.environment)
        let dir = try makeTempDirectory("concord-replication-kill")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir)
        defer { fed.killAll() }
        try await fed.replicateSample(rule: StartedFederation.sampleRule, configMap: "seed", literal: "v=0")
        let east = try #require(fed.layout.datacenters.first { $0.name == "us-east" })

        var controllerPid = try #require(fed.layout.controller?.pid)
        var controller: Background?
        defer { controller?.signal(SIGKILL) }
        let written = try await withKubeClients(kubeconfig: east.kubeconfig, count: 1) { clients in
            let source = clients[0].dynamic(Self.configMaps, namespaced: true, kind: "ConfigMap")
            let stop = StopSignal()
            return try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask { try await Self.write(source, seed: seed, until: stop) }
                var schedule = SeededGenerator(seed: seed ^ 0xC0FFEE)
                for round in 0..<Self.kills {
                    // A seeded moment: after 3 to 32 more acknowledged writes.
                    try await stop.waitForWrites(3 + Int(schedule.next(upperBound: UInt64(30))))
                    kill(controllerPid, SIGKILL)
                    controller?.signal(SIGKILL)
                    let next = try Background(try concordBinary(), ["controller", "--kubeconfig", fed.hubConfig], logPath: dir.appendingPathComponent("controller-\(round).log").path)
                    controller = next
                    controllerPid = next.pid
                }
                try await stop.waitForWrites(20)
                stop.stop()
                return try await group.next() ?? 0
            }
        }
        print("replication under \(Self.kills) controller kills: \(written) acknowledged source writes (seed \(seed))")
        #expect(written > 50, "the writer made too few writes to exercise anything")

        let want = try await Self.selected(fed.members["us-east"])
        let converged = try await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            for name in ["us-west", "eu-central"] where try await Self.selected(fed.members[name]) != want { return false }
            return true
        }
        var last: [String: [String: [String: String]]] = [:]
        for name in ["us-west", "eu-central"] { last[name] = try await Self.selected(fed.members[name]) }
        #expect(converged, "targets differ from the source (\(want.count) objects): \(Self.difference(want, last))")
    }

    /// Creates, updates and deletes ConfigMaps labelled `scope=global` in the source, one request at a
    /// time, until `stop`; returns how many writes were acknowledged.
    static func write(_ source: DynamicResourceClient, seed: UInt64, until stop: StopSignal) async throws -> Int {
        var random = SeededGenerator(seed: seed)
        var live: [String] = []
        var created = 0, acknowledged = 0
        while !stop.isStopped {
            let roll = random.next(upperBound: UInt64(10))
            if live.count < 5 || roll < 4 {
                let name = "k-\(created)"
                created += 1
                _ = try await source.create(configMap(name, value: "0"), namespace: "shop")
                live.append(name)
            } else if roll < 8 {
                let name = live[Int(random.next(upperBound: UInt64(live.count)))]
                _ = try await source.patch(name, namespace: "shop", type: .merge, patch: ["data": ["v": .string(String(acknowledged))]])
            } else {
                let name = live.remove(at: Int(random.next(upperBound: UInt64(live.count))))
                _ = try await source.delete(name, namespace: "shop")
            }
            acknowledged += 1
            stop.acknowledged()
        }
        return acknowledged
    }

    static func configMap(_ name: String, value: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": ["scope": "global"]], "data": ["v": .string(value)]]
    }

    /// The `scope=global` ConfigMaps in namespace shop of a member: name → data.
    static func selected(_ member: Kubectl?) async throws -> [String: [String: String]] {
        let member = try #require(member)
        let listed = try await member("get", "configmaps", "-n", "shop", "-l", "scope=global", "-o", "json")
        guard listed.succeeded else { throw E2EError("kubectl get configmaps: \(listed.stderr)") }
        let list = try JSONDecoder().decode(JSONValue.self, from: Data(listed.stdout.utf8))
        var result: [String: [String: String]] = [:]
        for item in list["items"]?.arrayValue ?? [] {
            guard let name = item["metadata"]?["name"]?.stringValue else { continue }
            result[name] = (item["data"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        }
        return result
    }

    /// What each target lacks, holds in excess, or holds with other content.
    static func difference(_ want: [String: [String: String]], _ got: [String: [String: [String: String]]]) -> String {
        got.keys.sorted().map { name in
            let have = got[name] ?? [:]
            let missing = want.keys.filter { have[$0] == nil }.sorted()
            let extra = have.keys.filter { want[$0] == nil }.sorted()
            let stale = want.keys.filter { have[$0] != nil && have[$0] != want[$0] }.sorted()
            return "\(name): missing \(missing), extra \(extra), different \(stale)"
        }.joined(separator: "; ")
    }
}

/// A writer's progress and stop flag, shared with the task that schedules kills.
final class StopSignal: Sendable {
    private let stopped = Atomic<Bool>(false)
    private let writes = Atomic<Int>(0)
    /// Counts one acknowledged write.
    func acknowledged() { writes.add(1, ordering: .sequentiallyConsistent) }
    /// Acknowledged writes so far.
    var writeCount: Int { writes.load(ordering: .sequentiallyConsistent) }
    /// Waits until `more` writes beyond the current count are acknowledged (throws after 60 s).
    func waitForWrites(_ more: Int) async throws {
        let target = writeCount + more
        guard await eventually(timeout: .seconds(60), every: .milliseconds(10), { self.writeCount >= target }) else {
            throw E2EError("the writer stalled at \(writeCount) acknowledged writes")
        }
    }
    /// Sets the flag.
    func stop() { stopped.store(true, ordering: .sequentiallyConsistent) }
    /// Whether ``stop()`` was called.
    var isStopped: Bool { stopped.load(ordering: .sequentiallyConsistent) }
}
