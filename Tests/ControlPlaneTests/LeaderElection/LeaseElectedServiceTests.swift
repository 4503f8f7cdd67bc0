import ConcordTesting
import Foundation
import KubernetesAPI
import Logging
import ServiceLifecycle
import Testing

@testable import ControlPlane

/// The election of the one server that runs a built-in controller, on a manual clock with client-go's
/// timings (lease 15 s, renew deadline 10 s, retry 2 s) and no jitter: every attempt falls on a 2 s grid.
@Suite("Lease election of a built-in controller", .timeLimit(.minutes(2)))
struct LeaseElectedServiceTests {
    let clock = ManualClock()
    let lease = InMemoryLease()
    let controllers = RunningControllers()

    func server(_ name: String, status: LeaseElectionStatus, cut: OnceFlag = OnceFlag()) -> LeaseElectedService {
        var logger = Logger(label: "test.election.\(name)")
        logger.logLevel = .error
        return LeaseElectedService(
            settings: .garbageCollector(identity: name),
            lock: lease.lock(cut: cut), clock: clock, now: { [clock] in clock.date }, random: { 0 }, status: status, logger: logger,
            workName: "the test controller", work: RecordingController(name: name, controllers: controllers))
    }

    /// Advances the clock one retry period and waits until `sleepers` servers sleep again.
    func tick(sleepers: Int) async throws {
        clock.advance(by: .seconds(2))
        try await clock.waitForSleepers(sleepers)
    }

    @Test func theFirstServerLeadsAndKeepsTheLeaseWhileItRenews() async throws {
        let a = LeaseElectionStatus(), b = LeaseElectionStatus()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server("a", status: a).run() }
            try await waitUntil("a to lead") { controllers.running == ["a"] }
            group.addTask { try await server("b", status: b).run() }
            try await clock.waitForSleepers(2)
            #expect(b.holder == "a")
            // Three lease durations: the renewals keep changing the Lease, so b never sees it expire.
            for _ in 0..<23 { try await tick(sleepers: 2) }
            #expect(controllers.starts == ["a"])
            #expect(a.isLeading && !b.isLeading)
            let record = try #require(lease.record)
            #expect(record.spec.holderIdentity == "a")
            #expect(record.spec.leaseTransitions == 0)
            #expect(record.spec.leaseDurationSeconds == 15)
            #expect(record.spec.renewTime?.date == clock.date)
            group.cancelAll()
        }
    }

    @Test func aKilledHolderIsReplacedOnceTheLeaseDurationPassedSinceItsLastRenewal() async throws {
        let a = LeaseElectionStatus(), b = LeaseElectionStatus()
        var killedAt = clock.now
        try await withThrowingTaskGroup(of: Void.self) { survivors in
            await withThrowingTaskGroup(of: Void.self) { victim in
                victim.addTask { try await server("a", status: a).run() }
                do {
                    try await waitUntil("a to lead") { controllers.running == ["a"] }
                    survivors.addTask { try await server("b", status: b).run() }
                    try await clock.waitForSleepers(2)
                    for _ in 0..<3 { try await tick(sleepers: 2) }
                } catch {
                    Issue.record(error)
                }
                // kill -9: no graceful shutdown, nothing handed back.
                victim.cancelAll()
                while await victim.nextResult() != nil {}
                killedAt = clock.now
            }
            #expect(controllers.running.isEmpty)
            var took: Duration?
            for _ in 0..<15 where took == nil {
                try await tick(sleepers: 1)
                if b.isLeading { took = killedAt.duration(to: clock.now) }
            }
            let failover = try #require(took, "b never took over")
            // Never before the lease duration; at the latest one lease duration after b last saw a renewal, plus one attempt.
            #expect(failover >= .seconds(15) && failover <= .seconds(19), "took \(failover)")
            try await waitUntil("b's controller to run") { controllers.running == ["b"] }
            #expect(controllers.starts == ["a", "b"])
            #expect(lease.record?.spec.holderIdentity == "b")
            #expect(lease.record?.spec.leaseTransitions == 1)
            survivors.cancelAll()
        }
    }

    @Test func aHolderCutOffFromTheStoreStopsItsControllerBeforeAnotherServerStartsOne() async throws {
        let a = LeaseElectionStatus(), b = LeaseElectionStatus(), cut = OnceFlag()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server("a", status: a, cut: cut).run() }
            try await waitUntil("a to lead") { controllers.running == ["a"] }
            group.addTask { try await server("b", status: b).run() }
            try await clock.waitForSleepers(2)
            try await tick(sleepers: 2)
            cut.raise()
            let cutAt = clock.now
            var stoppedAt: Duration?, startedAt: Duration?
            for _ in 0..<12 {
                try await tick(sleepers: 2)
                let elapsed = cutAt.duration(to: clock.now)
                if stoppedAt == nil, !a.isLeading { stoppedAt = elapsed }
                if startedAt == nil, b.isLeading { startedAt = elapsed }
            }
            // a gives up one retry period plus the renew deadline after its last renewal; b waits the lease duration.
            #expect(stoppedAt == .seconds(12))
            let started = try #require(startedAt, "b never took over")
            #expect(started >= .seconds(15) && started <= .seconds(19), "took \(started)")
            try await waitUntil("b's controller to run") { controllers.running == ["b"] }
            #expect(controllers.most == 1, "two controllers ran at once")
            #expect(controllers.starts == ["a", "b"])
            group.cancelAll()
        }
    }

    @Test func aGracefulShutdownHandsTheLeaseBackSoAnotherServerTakesOverAtItsNextAttempt() async throws {
        let a = LeaseElectionStatus(), b = LeaseElectionStatus()
        try await withThrowingTaskGroup(of: Void.self) { survivors in
            let services = ServiceGroup(configuration: .init(services: [server("a", status: a)], logger: Logger(label: "test.election.group")))
            try await withThrowingTaskGroup(of: Void.self) { stopping in
                stopping.addTask { try await services.run() }
                try await waitUntil("a to lead") { controllers.running == ["a"] }
                survivors.addTask { try await server("b", status: b).run() }
                try await clock.waitForSleepers(2)
                await services.triggerGracefulShutdown()
                try await stopping.waitForAll()
            }
            #expect(controllers.running.isEmpty)
            let released = try #require(lease.record)
            #expect(released.spec.holderIdentity == "")
            #expect(released.spec.leaseDurationSeconds == 1)
            #expect(released.spec.leaseTransitions == 0)
            try await tick(sleepers: 1)
            #expect(b.isLeading)
            try await waitUntil("b's controller to run") { controllers.running == ["b"] }
            #expect(lease.record?.spec.holderIdentity == "b")
            survivors.cancelAll()
        }
    }

    @Test func theCollectorsLeaseHasClientGosTimingsAndIsHandedBackOnShutdown() throws {
        let settings = LeaderElectionConfiguration.garbageCollector()
        try settings.validate()
        #expect(settings.leaseKey == "kube-system/concord-garbage-collector")
        #expect((settings.leaseDuration, settings.renewDeadline, settings.retryPeriod) == (.seconds(15), .seconds(10), .seconds(2)))
        #expect(settings.releaseOnCancel)
        #expect(settings.identity.contains("_") && settings.identity != LeaderElectionConfiguration.garbageCollector().identity)
    }
}
