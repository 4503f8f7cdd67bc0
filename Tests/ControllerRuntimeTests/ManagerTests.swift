import ConcordTesting
import ControllerRuntime
import Foundation
import KubeClient
import KubernetesAPI
import Synchronization
import Testing

/// Records start, then waits for `release` and records whether it finished or was cancelled.
struct BlockingReconciler: Reconciler {
    let log: EventLog
    let release: SyncGate

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        log.append("started \(key.name)")
        do {
            try await release.wait()
            log.append("finished \(key.name)")
        } catch {
            log.append("cancelled \(key.name)")
            throw error
        }
        return .done
    }
}

@Suite(.timeLimit(.minutes(1)))
struct ManagerTests {
    @Test func gracefulShutdownLetsTheInFlightReconcileFinish() async throws {
        let fake = FakeCollection(lists: [listResponse([configMap("a", rv: "1")], rv: "10")])
        let informer = DynamicInformer(fake.client)
        let log = EventLog()
        let release = SyncGate()
        let controller = Controller(name: "blocking", reconciler: BlockingReconciler(log: log, release: release))
        controller.watch(informer)
        let manager = Manager()
        manager.add(informer: informer)
        manager.add(controller: controller)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await manager.run(handlingSignals: false) }
            try await waitUntil { log.count == 1 }
            #expect(manager.hasSynced)
            await manager.shutdown()
            try await waitUntil { await controller.queue.isShuttingDown }
            #expect(log.all == ["started a"])
            release.open()
            try await group.next()
        }
        #expect(log.all == ["started a", "finished a"])
    }

    @Test func controllersRunOnlyWhileLeading() async throws {
        struct RecordingElection: LeaderElection {
            let log: EventLog
            func runWhileLeading(_ work: @escaping @Sendable () async throws -> Void) async throws {
                log.append("elected")
                try await work()
            }
        }
        let log = EventLog()
        let fake = FakeCollection(lists: [listResponse([configMap("a", rv: "1")], rv: "10")])
        let informer = DynamicInformer(fake.client)
        let controller = Controller(name: "c", reconciler: ReconcilerFunction { key in
            log.append("reconciled \(key.name)")
            return .done
        })
        controller.watch(informer)
        let manager = Manager(leaderElection: RecordingElection(log: log))
        // The informer is not added explicitly: the manager runs what its controllers watch.
        manager.add(controller: controller)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await manager.run(handlingSignals: false) }
            try await waitUntil { log.count == 2 }
            await manager.shutdown()
            try await group.next()
        }
        #expect(log.all == ["elected", "reconciled a"])
    }
}
