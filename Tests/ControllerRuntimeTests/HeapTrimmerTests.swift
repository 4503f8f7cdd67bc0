import ConcordTesting
import ControllerRuntime
import KubeClient
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1)))
struct HeapTrimmerTests {
    @Test func trimsOncePerPeriodOnTheInjectedClockUntilCancelledThenReturns() async throws {
        let clock = ManualClock()
        let trims = Mutex(0)
        let trimmer = HeapTrimmer(period: .seconds(30), clock: RuntimeClock(clock), trim: { trims.withLock { $0 += 1 } })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await trimmer.run() }
            try await clock.waitForSleepers(1)
            #expect(trims.withLock { $0 } == 0)
            clock.advance(by: .seconds(29))
            #expect(trims.withLock { $0 } == 0)
            clock.advance(by: .seconds(1))
            try await clock.waitForSleepers(1)
            #expect(trims.withLock { $0 } == 1)
            clock.advance(by: .seconds(30))
            try await clock.waitForSleepers(1)
            #expect(trims.withLock { $0 } == 2)
            group.cancelAll()
            // A stop is no failure: run returns, so a service group shuts down cleanly.
            try await group.next()
        }
        #expect(trims.withLock { $0 } == 2)
    }

    #if os(Linux)
    @Test func theCLibraryHereCanHandFreeMemoryBack() {
        #expect(HeapTrimmer.canReleaseFreeMemory)
        HeapTrimmer.releaseFreeMemory()
    }
    #endif
}
