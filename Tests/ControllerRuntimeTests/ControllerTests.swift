@testable import ControllerRuntime
import ConcordTesting
import Foundation
import KubeClient
import KubernetesAPI
import Synchronization
import Testing

struct Boom: Error {}

/// A reconciler whose answer per call comes from a script; records every key it sees.
final class ScriptedReconciler: Reconciler {
    private let answers: Mutex<[ObjectKey: [Result<ReconcileResult, any Error>]]>
    let calls = Mutex<[ObjectKey]>([])

    init(_ answers: [ObjectKey: [Result<ReconcileResult, any Error>]] = [:]) { self.answers = Mutex(answers) }

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        calls.withLock { $0.append(key) }
        let next = answers.withLock { a -> Result<ReconcileResult, any Error> in
            guard var list = a[key], !list.isEmpty else { return .success(.done) }
            let first = list.removeFirst()
            a[key] = list
            return first
        }
        return try next.get()
    }

    var callCount: Int { calls.withLock { $0.count } }
}

struct ResultCase: CustomTestStringConvertible, Sendable {
    var name: String
    var result: Result<ReconcileResult, any Error>
    var requeues: Int
    var delayed: Int
    var deadline: Duration?
    var testDescription: String { name }
}

@Suite(.timeLimit(.minutes(1)))
struct ControllerTests {
    private let key = ObjectKey(namespace: "ns", name: "obj")

    @Test(arguments: [
        ResultCase(name: "error is retried with per-key backoff", result: .failure(Boom()), requeues: 2, delayed: 1, deadline: .milliseconds(10)),
        ResultCase(name: "terminal error is not retried", result: .failure(TerminalError(Boom())), requeues: 1, delayed: 0, deadline: nil),
        ResultCase(name: "requeue(after:) forgets the backoff and delays", result: .success(.requeue(after: .seconds(30))), requeues: 0, delayed: 1, deadline: .seconds(30)),
        ResultCase(name: "done forgets the backoff", result: .success(.done), requeues: 0, delayed: 0, deadline: nil),
    ])
    func resultIsHandledLikeControllerRuntime(_ c: ResultCase) async throws {
        let clock = ManualClock()
        let rec = ScriptedReconciler([key: [c.result]])
        // One earlier failure, so "forget" is observable.
        var limiter = ItemExponentialRateLimiter<ObjectKey>()
        _ = limiter.when(key)
        let controller = Controller(name: "test", reconciler: rec, clock: clock, rateLimiter: limiter)
        #expect(await controller.queue.numRequeues(key) == 1)
        await controller.handle(key)
        #expect(await controller.queue.numRequeues(key) == c.requeues)
        #expect(await controller.queue.delayedCount == c.delayed)
        if let d = c.deadline {
            // The key is ready at its deadline (time has not moved).
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await controller.queue.run() }
                try await clock.waitForSleepers(1)
                // The queue's run loop arms its timer for the delayed key; wait until it has.
                try await waitUntil("the timer armed for \(d)", timeout: .seconds(30)) { clock.nextDeadline == ManualClock.Instant(offset: d) }
                clock.advance(by: d)
                #expect(await controller.queue.get() == key)
                await controller.queue.shutDown()
            }
        }
    }

    @Test func workersReconcileEveryListedObjectAfterSync() async throws {
        let fake = FakeCollection(lists: [listResponse([configMap("a", rv: "1"), configMap("b", rv: "2", namespace: "x")], rv: "10")])
        let clock = ManualClock()
        let informer = DynamicInformer(fake.client, clock: clock)
        let rec = ScriptedReconciler()
        let controller = Controller(name: "configmaps", reconciler: rec, workers: 2, clock: clock)
        controller.watch(informer)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await informer.run() }
            group.addTask { try await controller.run() }
            try await waitUntil { rec.callCount == 2 }
            #expect(Set(rec.calls.withLock { $0 }) == [ObjectKey(namespace: "default", name: "a"), ObjectKey(namespace: "x", name: "b")])
            // A watch event for "a" reconciles it again.
            try await waitUntil { fake.watchCount == 1 }
            fake.currentWatch?.send(.modified, configMap("a", rv: "11"))
            try await waitUntil { rec.callCount == 3 }
            group.cancelAll()
        }
    }

    @Test func failingKeyIsRetriedWithGrowingBackoffUntilItSucceeds() async throws {
        let clock = ManualClock()
        let k = ObjectKey(name: "flaky")
        let rec = ScriptedReconciler([k: [.failure(Boom()), .failure(Boom()), .success(.done)]])
        let controller = Controller(name: "flaky", reconciler: rec, clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await controller.run() }
            await controller.queue.add(k)
            var delays: [Duration] = []
            for _ in 0..<2 {
                try await waitUntil { await controller.queue.delayedCount == 1 }
                try await clock.waitForSleepers(1)
                delays.append(try await clock.nextSleeperDelay())
                clock.advanceToNextDeadline()
            }
            try await waitUntil { rec.callCount == 3 }
            try await waitUntil { await controller.queue.numRequeues(k) == 0 }
            #expect(delays == [.milliseconds(5), .milliseconds(10)])
            group.cancelAll()
        }
    }

    @Test func secondaryWatchMapsObjectsToOwnerKeys() async throws {
        let fake = FakeCollection(lists: [listResponse([configMap("child-1", rv: "1", labels: ["owner": "parent"])], rv: "10")])
        let informer = DynamicInformer(fake.client, clock: ManualClock())
        let rec = ScriptedReconciler()
        let controller = Controller(name: "parents", reconciler: rec, clock: ManualClock())
        controller.watch(informer) { o in
            JSONValue.objectMeta(of: o).labels?["owner"].map { [ObjectKey(name: $0)] } ?? []
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await informer.run() }
            group.addTask { try await controller.run() }
            try await waitUntil { rec.callCount == 1 }
            #expect(rec.calls.withLock { $0 } == [ObjectKey(name: "parent")])
            group.cancelAll()
        }
    }

    @Test func controllerFailsWhenCachesDoNotSyncInTime() async throws {
        let clock = ManualClock()
        let controller = Controller(name: "stuck", reconciler: ScriptedReconciler(), cacheSyncTimeout: .seconds(120), clock: clock)
        controller.waitsFor(NeverSynced())
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await controller.run() }
            try await clock.waitForSleepers(1)
            #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(120)))
            clock.advance(by: .seconds(120))
            do {
                try await group.next()
                Issue.record("expected a ControllerError")
            } catch {
                #expect(error is ControllerError, "\(error)")
            }
        }
    }
}

/// A source that never syncs.
final class NeverSynced: SyncingService {
    let gate = SyncGate()
    var name: String { "never" }
    var hasSynced: Bool { false }
    func waitForSync() async throws { try await gate.wait() }
    func run() async throws { try await gate.wait() }
}
