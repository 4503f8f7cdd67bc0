import ConcordTesting
import FederationAPI
import Foundation
import KubeClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of `concord server` at random moments during sustained writes loses no acknowledged
/// write, leaves no gap or duplicate in the revision sequence, and a watcher resuming from its last
/// resourceVersion after every restart sees every change exactly once, in order.
///
/// The fault schedule is seeded: set `CONCORD_DURABILITY_SEED` to replay a run.
@Suite(.serialized) struct KillDuringWritesTests {
    static let namespace = "default"
    static let writers = 6
    static let kills = 8

    @Test func acknowledgedWritesAndResumedWatchesSurviveRepeatedKill9() async throws {
        let seed = SeededGenerator.seed(
            fromEnvironment: "CONCORD_DURABILITY_SEED", fallback: 0x5EED_2026, environment: ProcessInfo.processInfo.environment)
        let dir = try makeTempDirectory("kill-during-writes")
        defer { removeTestDirectory(dir) }
        let run = try await KillRun(dataDir: dir.appendingPathComponent("data"), port: try freePort())
        defer { run.killServer() }

        try await withKubeClients(kubeconfig: run.kubeconfig, count: Self.writers + 1) { clients in
            try await Self.run(run, clients: clients, seed: seed)
        }
        await run.stopServer()
    }

    private static func run(_ run: KillRun, clients: [KubeClient], seed: UInt64) async throws {
        let configMaps = clients.map {
            $0.dynamic(GroupVersionResource(group: "", version: "v1", resource: "configmaps"), namespaced: true, kind: "ConfigMap")
        }
        let startRevision = try #require(Int64(try await configMaps[0].list(namespace: Self.namespace).resourceVersion))
        let gate = ServerGate()
        let ledger = WriteLedger()
        let watcher = ResumingWatcher(from: startRevision)
        let clock = ContinuousClock()
        let began = clock.now

        let final = try await withThrowingTaskGroup(of: Void.self) { watching in
            watching.addTask { await watcher.run(configMaps[Self.writers], namespace: Self.namespace, gate: gate) }
            try await withThrowingTaskGroup(of: Void.self) { writing in
                for id in 0..<Self.writers {
                    let writer = ConfigMapWriter(
                        id: id, configMaps: configMaps[id], namespace: Self.namespace, gate: gate, ledger: ledger,
                        seed: seed &+ UInt64(id + 1))
                    writing.addTask { await writer.run() }
                }
                do {
                    try await run.killRepeatedly(Self.kills, seed: seed, gate: gate, ledger: ledger)
                } catch {
                    await gate.close()
                    ledger.stop()
                    throw error
                }
                ledger.stop()
                try await writing.waitForAll()
            }
            let final = try await configMaps[0].list(namespace: Self.namespace)
            let finalRevision = try #require(Int64(final.resourceVersion))
            let caughtUp = await eventually(timeout: .seconds(20), every: .milliseconds(10)) { watcher.lastRevision >= finalRevision }
            #expect(caughtUp, "the resumed watcher stopped at \(watcher.lastRevision); the store is at \(finalRevision)")
            await gate.close()
            watching.cancelAll()
            try await watching.waitForAll()
            return final
        }
        let finalRevision = try #require(Int64(final.resourceVersion))
        DurabilityChecks.verifyStoredState(final, startRevision: startRevision, ledger: ledger)
        DurabilityChecks.verifyWatch(watcher, from: startRevision, through: finalRevision, ledger: ledger)
        let replayed = try await DurabilityChecks.replay(configMaps[0], namespace: Self.namespace, from: startRevision, through: finalRevision)
        #expect(replayed == watcher.events, "a single watch replaying the history differs from the watch resumed across restarts")

        let acknowledged = ledger.acknowledged
        #expect(ledger.unexpectedFailures.isEmpty, "requests failed while the server was up: \(ledger.unexpectedFailures.prefix(5))")
        #expect(acknowledged.count >= 100, "too few writes to mean anything: \(acknowledged.count)")
        print(
            """
            durability run: seed=0x\(String(seed, radix: 16)) kills=\(Self.kills) writers=\(Self.writers) \
            acknowledged writes=\(acknowledged.count) (creates \(acknowledged.count { $0.seq == 0 }), \
            updates \(acknowledged.count { $0.seq > 0 })), requests cut off by kills=\(ledger.killedRequests), \
            revisions \(startRevision + 1)...\(finalRevision), watch events=\(watcher.events.count) \
            over \(watcher.streamsOpened) streams, duration=\(clock.now - began)
            """)
    }
}
