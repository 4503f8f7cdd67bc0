import ConcordTesting
import ControllerRuntime
import Foundation
import KubeClient
import KubernetesAPI
import Logging
import ServiceLifecycle
import Testing

/// Leader election against an in-memory Lease API, on a manual clock (jitter pinned to 0, so
/// followers retry exactly every retryPeriod).
@Suite(.timeLimit(.minutes(1)))
struct LeaseLeaderElectorTests {
    func elector(_ id: String, _ server: FakeLeaseServer, _ clock: ManualClock, release: Bool = false, observer: (any LeaderElectionObserver)? = nil) throws -> LeaseLeaderElector {
        try LeaseLeaderElector(
            configuration: LeaderElectionConfiguration(namespace: "ns", name: "lock", identity: id, releaseOnCancel: release),
            client: server.client, clock: clock, now: { clock.date }, random: { 0 }, observer: observer)
    }

    /// Runs `body` while `elector` campaigns; `kill` (cancellation, like kill -9) ends the campaign without a release.
    func campaigning(_ elector: LeaseLeaderElector, kill: SyncGate) async {
        await withTaskGroup(of: Void.self) { g in
            g.addTask { try? await elector.run() }
            g.addTask { try? await kill.wait() }
            await g.next()
            g.cancelAll()
        }
    }

    /// Advances the clock by `step` until `condition` holds, each time waiting until the code
    /// under test sleeps again (or the condition holds); returns the clock's offset then.
    func advance(_ clock: ManualClock, by step: Duration, until condition: @escaping @Sendable () -> Bool) async throws -> Duration {
        for _ in 0..<100 {
            if condition() { return clock.now.offset }
            clock.advance(by: step)
            try await waitUntil { clock.sleeperCount >= 1 || condition() }
        }
        throw ConditionTimedOut(what: "the condition after 100 steps of \(step)", timeout: step * 100)
    }

    @Test func aFollowerTakesOverWhenTheLeaseWentUnchangedForLeaseDuration() async throws {
        let server = FakeLeaseServer()
        let clock = ManualClock()
        let a = try elector("a", server, clock)
        let b = try elector("b", server, clock)
        let killA = SyncGate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.campaigning(a, kill: killA) }
            try await waitUntil { a.isLeader }
            group.addTask { try await b.run() }
            try await clock.waitForSleepers(2)
            #expect(!b.isLeader)
            #expect(server.spec?.holderIdentity == "a")
            killA.open()  // the leader dies without releasing
            try await waitUntil { !a.isLeader && clock.sleeperCount == 1 }
            let tookOver = try await advance(clock, by: .seconds(2)) { b.isLeader }
            // b first saw the record at 0 s; it is valid until 15 s; the next attempt is at 16 s.
            #expect(tookOver == .seconds(16))
            #expect(server.spec?.holderIdentity == "b")
            #expect(server.spec?.leaseTransitions == 1)
            #expect(server.writes == ["POST a", "PUT b"])
            group.cancelAll()
        }
    }

    @Test func aLeaderThatCannotRenewLosesLeadershipAtTheRenewDeadlineAndItsWorkIsCancelled() async throws {
        let server = FakeLeaseServer()
        let clock = ManualClock()
        let a = try elector("a", server, clock)
        let log = EventLog()
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await a.run() }
            group.addTask {
                try await a.runWhileLeading {
                    log.append("working")
                    do { try await Task.sleep(for: .seconds(3600)) } catch { log.append("cancelled") }
                }
            }
            do {
                try await waitUntil { a.isLeader && log.count == 1 }
                try await clock.waitForSleepers(1)
                clock.advance(by: .seconds(2))  // one successful renewal at 2 s
                try await clock.waitForSleepers(1)
                #expect(server.writes == ["POST a", "PUT a"])
                server.setFailing(true)
                // The renewal starting at 4 s retries every 2 s and gives up at 4 + 10 = 14 s.
                let lost = try await advance(clock, by: .seconds(2)) { !a.isLeader }
                #expect(lost == .seconds(14))
                var failures = 0
                while let result = await group.nextResult() {
                    if case .failure(let error) = result, error is LeaderElectionLost { failures += 1 }
                }
                #expect(failures == 2, "both the campaign and the gated work end with LeaderElectionLost")
                #expect(log.all == ["working", "cancelled"])
            } catch {
                Issue.record("\(error)")
                group.cancelAll()
            }
        }
    }

    @Test func releaseOnCancelHandsTheLeaseBackSoAFollowerTakesOverAtItsNextAttempt() async throws {
        let server = FakeLeaseServer()
        let clock = ManualClock()
        let a = try elector("a", server, clock, release: true)
        let b = try elector("b", server, clock)
        let groupA = ServiceGroup(configuration: .init(services: [.init(service: a)], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await groupA.run() }
            try await waitUntil { a.isLeader }
            group.addTask { try await b.run() }
            try await clock.waitForSleepers(2)
            await groupA.triggerGracefulShutdown()
            try await waitUntil { server.writes.count == 2 }
            #expect(server.writes == ["POST a", "PUT "])
            #expect(server.spec?.leaseDurationSeconds == 1)
            try await waitUntil { clock.sleeperCount == 1 }
            let tookOver = try await advance(clock, by: .seconds(2)) { b.isLeader }
            #expect(tookOver == .seconds(2))
            #expect(server.spec?.leaseTransitions == 1)
            group.cancelAll()
        }
    }

    @Test func aGracefulShutdownBeforeElectionEndsTheWaitWithoutRunningTheWork() async throws {
        let server = FakeLeaseServer()
        try server.seed(LeaseSpec(holderIdentity: "other", leaseDurationSeconds: 15, leaseTransitions: 0))
        let clock = ManualClock()
        let a = try elector("a", server, clock)
        let log = EventLog()
        struct Gated: Service {
            let elector: LeaseLeaderElector
            let log: EventLog
            func run() async throws { try await elector.runWhileLeading { log.append("work") } }
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: a), .init(service: Gated(elector: a, log: log))], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await clock.waitForSleepers(1)
            await group.triggerGracefulShutdown()
            try await tasks.next()
        }
        #expect(log.all.isEmpty)
        #expect(!a.isLeader)
        #expect(server.spec?.holderIdentity == "other")
    }
}
