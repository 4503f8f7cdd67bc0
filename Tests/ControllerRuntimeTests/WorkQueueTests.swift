import ConcordTesting
import ControllerRuntime
import Foundation
import KubeClient
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1)))
struct WorkQueueTests {
    @Test func duplicatesCollapseIntoOneEntry() async {
        let q = WorkQueue<String>(clock: ManualClock())
        await q.add("a")
        await q.add("a")
        await q.add("b")
        await q.add("a")
        #expect(await q.count == 2)
        #expect(await q.get() == "a")
        #expect(await q.get() == "b")
        #expect(await q.count == 0)
    }

    @Test func keyAddedWhileProcessingWaitsForDoneThenRunsAgain() async {
        let q = WorkQueue<String>(clock: ManualClock())
        await q.add("a")
        #expect(await q.get() == "a")
        await q.add("a")
        await q.add("a")
        #expect(await q.count == 0, "a key in flight is not handed out again")
        await q.done("a")
        #expect(await q.count == 1)
        #expect(await q.get() == "a")
        await q.done("a")
        #expect(await q.count == 0, "done without a re-add does not requeue")
    }

    @Test func waitingWorkerReceivesTheNextAdd() async {
        let q = WorkQueue<String>(clock: ManualClock())
        await withTaskGroup(of: String?.self) { group in
            group.addTask { await q.get() }
            while q.waitingWorkers == 0 { await Task.yield() }
            await q.add("x")
            #expect(await group.next() == "x")
        }
    }

    @Test func aKeyIsNeverProcessedByTwoWorkersAtOnce() async {
        let q = WorkQueue<Int>(clock: ManualClock())
        let inFlight = Shared<[Int: Int]>([:])
        let violations = Shared(0)
        let processed = Shared(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while let k = await q.get() {
                        let concurrent = inFlight.update { m -> Int in
                            m[k, default: 0] += 1
                            return m[k]!
                        }
                        if concurrent > 1 { violations.update { $0 += 1 } }
                        await Task.yield()
                        await q.add(k)  // re-added while in flight: must wait for done
                        await Task.yield()
                        inFlight.update { $0[k]! -= 1 }
                        processed.update { $0 += 1 }
                        await q.done(k)
                        if processed.value >= 400 { await q.shutDown() }
                    }
                }
            }
            for k in 0..<3 { await q.add(k) }
        }
        #expect(violations.value == 0)
        #expect(processed.value >= 400)
    }

    @Test func addAfterReleasesKeysInReadyTimeOrder() async {
        let clock = ManualClock()
        let q = WorkQueue<String>(clock: clock)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await q.run() }
            await q.addAfter("a", .seconds(3))
            await q.addAfter("b", .seconds(1))
            await q.addAfter("c", .seconds(2))
            #expect(await q.delayedCount == 3)
            #expect(await q.count == 0)
            clock.advance(by: .seconds(3))
            #expect(await q.get() == "b")
            #expect(await q.get() == "c")
            #expect(await q.get() == "a")
            await q.shutDown()
        }
    }

    @Test func addAfterKeepsTheEarliestReadyTime() async throws {
        let clock = ManualClock()
        let q = WorkQueue<String>(clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await q.run() }
            await q.addAfter("late-then-early", .seconds(5))
            await q.addAfter("late-then-early", .seconds(1))
            await q.addAfter("early-then-late", .seconds(1))
            await q.addAfter("early-then-late", .seconds(5))
            #expect(await q.delayedCount == 2)
            try await clock.waitForSleepers(1)
            // The run loop re-arms its one timer as earlier deadlines arrive: wait until it holds the earliest.
            try await waitUntil("the timer armed for 1 s", timeout: .seconds(30)) { clock.nextDeadline == ManualClock.Instant(offset: .seconds(1)) }
            clock.advance(by: .seconds(1))
            let first = await q.get()
            let second = await q.get()
            #expect(Set([first, second]) == ["late-then-early", "early-then-late"])
            #expect(await q.delayedCount == 0)
            await q.shutDown()
        }
    }

    @Test func addAfterWithoutDelayIsAPlainAdd() async {
        let q = WorkQueue<String>(clock: ManualClock())
        await q.addAfter("now", .zero)
        #expect(await q.count == 1)
    }

    @Test func delayedKeyIsNotReadyBeforeItsTime() async throws {
        let clock = ManualClock()
        let q = WorkQueue<String>(clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await q.run() }
            await q.addAfter("k", .seconds(10))
            try await clock.waitForSleepers(1)
            clock.advance(by: .seconds(9))
            try await clock.waitForSleepers(1)
            #expect(await q.count == 0)
            #expect(await q.delayedCount == 1)
            clock.advance(by: .seconds(1))
            #expect(await q.get() == "k")
            await q.shutDown()
        }
    }

    @Test func rateLimitedRetriesBackOffPerKeyAndForgetResets() async throws {
        let clock = ManualClock()
        let q = WorkQueue<String>(clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await q.run() }
            var delays: [Duration] = []
            for _ in 0..<4 {
                await q.addRateLimited("k")
                try await clock.waitForSleepers(1)
                let delay = try await clock.nextSleeperDelay()
                delays.append(delay)
                // By the delay, not to "the next deadline": the queue may be re-arming its timer
                // (a wake cancels the sleeper just counted), and the deadline is the same either way.
                clock.advance(by: delay)
                #expect(await q.get() == "k")
                await q.done("k")
            }
            #expect(delays == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40)])
            #expect(await q.numRequeues("k") == 4)
            await q.forget("k")
            #expect(await q.numRequeues("k") == 0)
            await q.addRateLimited("k")
            try await clock.waitForSleepers(1)
            #expect(try await clock.nextSleeperDelay() == .milliseconds(5))
            await q.shutDown()
        }
    }

    @Test func backoffDoublesFrom5msAndCapsAt1000s() {
        var limiter = ItemExponentialRateLimiter<String>()
        let delays = (0..<20).map { _ in limiter.when("k") }
        #expect(Array(delays.prefix(5)) == [.milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(40), .milliseconds(80)])
        #expect(delays[17] == .milliseconds(655_360))
        #expect(delays[18] == .seconds(1000))
        #expect(delays[19] == .seconds(1000))
        for _ in 0..<100 { _ = limiter.when("k") }
        #expect(limiter.when("k") == .seconds(1000))
        #expect(limiter.when("other") == .milliseconds(5), "backoff is per key")
        limiter.forget("k")
        #expect(limiter.when("k") == .milliseconds(5))
    }

    @Test func tokenBucketAllowsABurstThenSpacesRetries() {
        var bucket = TokenBucketRateLimiter<String>(qps: 10, burst: 2)
        let atStart = (0..<4).map { bucket.when("k\($0)", now: .zero) }
        #expect(atStart == [.zero, .zero, .milliseconds(100), .milliseconds(200)])
        // One second refills the bucket (capped at the burst) and pays back the debt of 2.
        #expect(bucket.when("k", now: .seconds(1)) == .zero)
        #expect(bucket.when("k", now: .seconds(1)) == .zero)
        #expect(bucket.when("k", now: .seconds(1)) == .milliseconds(100))
    }

    @Test func maxOfTakesTheLargestDelayAndForgetsEverywhere() {
        var limiter = MaxOfRateLimiter<String>([ItemExponentialRateLimiter<String>(), TokenBucketRateLimiter<String>(qps: 10, burst: 1)])
        #expect(limiter.when("a", now: .zero) == .milliseconds(5))
        #expect(limiter.when("a", now: .zero) == .milliseconds(100), "the bucket is empty: its delay dominates")
        #expect(limiter.numRequeues("a") == 2)
        limiter.forget("a")
        #expect(limiter.numRequeues("a") == 0)
    }

    @Test func shutDownDrainsQueuedKeysThenReturnsNil() async {
        let q = WorkQueue<String>(clock: ManualClock())
        await q.add("a")
        await q.add("b")
        await q.shutDown()
        await q.add("c")
        #expect(await q.get() == "a")
        #expect(await q.get() == "b")
        #expect(await q.get() == nil)
    }

    @Test func shutDownReleasesWaitingWorkers() async {
        let q = WorkQueue<String>(clock: ManualClock())
        await withTaskGroup(of: String?.self) { group in
            group.addTask { await q.get() }
            group.addTask { await q.get() }
            while q.waitingWorkers < 2 { await Task.yield() }
            await q.shutDown()
            #expect(await group.next() == .some(nil))
            #expect(await group.next() == .some(nil))
        }
    }

    @Test func shutDownWithDrainWaitsForInFlightKeys() async {
        let q = WorkQueue<String>(clock: ManualClock())
        await q.add("a")
        #expect(await q.get() == "a")
        let drained = Shared(false)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await q.shutDownWithDrain()
                drained.update { $0 = true }
            }
            while !(await q.isShuttingDown) { await Task.yield() }
            for _ in 0..<50 { await Task.yield() }
            #expect(drained.value == false, "drain must wait for the key in flight")
            await q.done("a")
            await group.waitForAll()
        }
        #expect(drained.value)
    }

    @Test func cancelledGetReturnsNil() async {
        let q = WorkQueue<String>(clock: ManualClock())
        await withTaskGroup(of: String?.self) { group in
            group.addTask { await q.get() }
            while q.waitingWorkers == 0 { await Task.yield() }
            group.cancelAll()
            #expect(await group.next() == .some(nil))
        }
        await q.add("after")
        #expect(await q.count == 1, "a cancelled worker does not swallow later keys")
    }
}
