import FederationAPI
import FederationCore
import Foundation
import Testing

/// `lastTransitionTime` moves only when a condition's status flips; `unhealthySince` spans a whole
/// unhealthy run.
struct HealthTransitionTimeTests {
    @Test func readyTransitionTimeStaysWhileReadyAndSuspect() throws {
        // Ready at second 1; Suspect at 2 and 3 (Ready stays True); Unreachable at 4 (False); Ready again at 6.
        let run = Health.run([Health.ok, Health.ok, Health.refused, Health.refused, Health.refused, Health.ok, Health.ok])
        func readyTime(_ i: Int) -> KubeTime? { run[i].conditions.condition("Ready")?.lastTransitionTime }
        #expect(run[0].conditions.condition("Ready")?.status == .false)  // Pending at 0
        #expect(readyTime(0) == KubeTime(Health.at(0)))
        #expect(readyTime(1) == KubeTime(Health.at(1)))  // False → True
        #expect(readyTime(2) == KubeTime(Health.at(1)))
        #expect(readyTime(3) == KubeTime(Health.at(1)))
        #expect(readyTime(4) == KubeTime(Health.at(4)))
        #expect(readyTime(5) == KubeTime(Health.at(4)))
        #expect(readyTime(6) == KubeTime(Health.at(6)))
    }

    @Test func reachableTransitionTimeFollowsEachFlip() {
        let run = Health.run([Health.ok, Health.ok, Health.refused, Health.refused, Health.ok])
        let times = run.map { $0.conditions.condition("Reachable")?.lastTransitionTime }
        #expect(times == [0, 0, 2, 2, 4].map { KubeTime(Health.at($0)) })
    }

    @Test func registeredNeverFlipsBackOnceConnected() {
        let run = Health.run([Health.ok] + Health.repeated(Health.refused, 6))
        #expect(run.allSatisfy { $0.conditions.condition("Registered")?.status == .true })
        #expect(run.allSatisfy { $0.conditions.condition("Registered")?.lastTransitionTime == KubeTime(Health.at(0)) })
    }

    @Test func unhealthySinceSpansTheWholeRun() {
        let run = Health.run([Health.ok, Health.ok, Health.refused, Health.refused, Health.refused, Health.ok, Health.refused, Health.ok, Health.ok])
        let since = run.map(\.unhealthySince)
        let two = KubeTime(Health.at(2))
        #expect(since == [nil, nil, two, two, two, two, two, two, nil])
    }

    @Test func steadyStateConditionsDoNotChangeBetweenProbes() {
        let run = Health.run(Health.repeated(Health.ok, 20))
        #expect(run[5].conditions == run[19].conditions)
        let down = Health.run(Health.repeated(Health.refused, 20), from: Health.ready, first: 2)
        #expect(down[5].conditions == down[19].conditions)
    }
}

/// The first visit publishes Unknown conditions; the first probe moves them.
struct InitialStatusTests {
    @Test func firstVisitIsPendingWithUnknownConditions() {
        let status = DatacenterHealth.initialStatus(generation: 1, now: Health.at(0))
        #expect(status.phase == .pending)
        #expect(status.conditions.map(\.type) == ["Registered", "Reachable", "Ready"])
        #expect(status.conditions.allSatisfy { $0.status == .unknown && $0.reason == Datacenter.Reason.awaitingFirstProbe })
        #expect(KStatus.compute(generation: 1, observedGeneration: 1, deletionTimestamp: nil, conditions: status.conditions) == .inProgress)
    }

    @Test func firstProbeMovesEveryConditionOutOfUnknown() {
        let initial = DatacenterHealth.initialStatus(generation: 1, now: Health.at(0))
        let next = DatacenterHealth.evaluate(previous: initial, probe: Health.ok, healthCheck: Health.defaults, generation: 1, now: Health.at(1))
        #expect(next.conditions.map(\.status) == [.true, .true, .false])
        #expect(next.conditions.allSatisfy { $0.lastTransitionTime == KubeTime(Health.at(1)) })
        #expect(DatacenterHealth.writeReason(written: initial, computed: next, healthCheck: Health.defaults, now: Health.at(1)) == .conditions)
    }
}
