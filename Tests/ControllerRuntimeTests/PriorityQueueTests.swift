import ConcordTesting
import ControllerRuntime
import Foundation
import KubeClient
import KubernetesAPI
import Synchronization
import Testing

/// controller-runtime's priority queue: highest priority first, FIFO within a priority.
@Suite(.timeLimit(.minutes(1)))
struct PriorityQueueTests {
    private func drain(_ q: WorkQueue<String>) async -> [String] {
        var out: [String] = []
        while await q.count > 0, let k = await q.get() {
            out.append(k)
            await q.done(k)
        }
        return out
    }

    @Test func higherPriorityComesOutFirstAndFIFOWithinAPriority() async {
        let q = WorkQueue<String>(clock: ManualClock())
        await q.add("a", priority: QueuePriority.low)
        await q.add("b", priority: QueuePriority.low)
        await q.add("c")
        await q.add("d")
        await q.add("e", priority: 10)
        #expect(await drain(q) == ["e", "c", "d", "a", "b"])
    }

    @Test func reAddingRaisesAPriorityButNeverLowersIt() async {
        let q = WorkQueue<String>(clock: ManualClock())
        await q.add("a", priority: QueuePriority.low)
        await q.add("b", priority: QueuePriority.low)
        await q.add("c")
        await q.add("b")
        await q.add("c", priority: QueuePriority.low)
        #expect(await q.count == 3, "re-adds never duplicate")
        #expect(await drain(q) == ["c", "b", "a"])
    }

    @Test func requeuesKeepThePriorityTheKeyWasHandedOutWith() async {
        let q = WorkQueue<String>(clock: ManualClock())
        await q.add("initial", priority: QueuePriority.low)
        #expect(await q.get() == "initial")
        #expect(await q.priority(of: "initial") == QueuePriority.low)
        await q.addAfter("initial", .zero)
        await q.done("initial")
        await q.add("change")
        #expect(await drain(q) == ["change", "initial"], "the requeued low-priority key stays behind real changes")
        #expect(await q.priority(of: "initial") == nil)
    }

    @Test func keyChangedWhileProcessingRunsAgainAtTheHighestPriorityAsked() async {
        let q = WorkQueue<String>(clock: ManualClock())
        await q.add("a", priority: QueuePriority.low)
        #expect(await q.get() == "a")
        await q.add("a", priority: QueuePriority.low)
        await q.add("a")
        await q.add("b", priority: QueuePriority.low)
        await q.done("a")
        #expect(await drain(q) == ["a", "b"])
    }

    @Test func initialListAndResyncAreLowPriorityRealChangesNormal() async throws {
        let fake = FakeCollection(lists: [listResponse([configMap("a", rv: "1"), configMap("b", rv: "2")], rv: "10")])
        let clock = ManualClock()
        let informer = DynamicInformer(fake.client, resyncPeriod: .seconds(30), clock: clock)
        let log = EventLog()
        let cache = informer.cache
        informer.addEventHandler(.prioritized({ [cache.key(of: $0)] }, metadata: cache.metadata, to: { key, priority in log.append("\(key.name)@\(priority)") }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await informer.run() }
            try await informer.waitForSync()
            #expect(log.all == ["a@-100", "b@-100"], "the initial list is low priority")
            try await waitUntil { fake.watchCount == 1 }
            fake.currentWatch?.send(.modified, configMap("a", rv: "11"))
            fake.currentWatch?.send(.added, configMap("c", rv: "12"))
            try await waitUntil { log.count == 4 }
            #expect(Array(log.all.suffix(2)) == ["a@0", "c@0"], "watch events are normal priority")
            try await clock.waitForSleepers(1)
            clock.advance(by: .seconds(30))
            try await waitUntil { log.count == 7 }
            #expect(Array(log.all.suffix(3)) == ["a@-100", "b@-100", "c@-100"], "a resync is low priority")
            group.cancelAll()
        }
    }
}
