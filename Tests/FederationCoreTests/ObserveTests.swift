import FederationAPI
import Foundation
import Testing

@testable import FederationCore

struct ObserveTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func firstVisitSetsEveryConditionUnknown() {
        var empty = DatacenterStatus()
        empty.role = .primary
        let s = DatacenterHealth.observe(empty, generation: 3, now: now)
        #expect(s.phase == .pending)
        #expect(s.role == .primary)
        #expect(s.observedGeneration == 3)
        #expect(s.conditions.map(\.type) == ["Registered", "Reachable", "Ready"])
        #expect(s.conditions.allSatisfy { $0.status == .unknown && $0.observedGeneration == 3 })
    }

    @Test func laterVisitsOnlyMoveObservedGeneration() {
        let ready = DatacenterHealth.evaluate(
            previous: nil, probe: .success(latency: .milliseconds(2), serverVersion: "v1"),
            healthCheck: HealthCheckSpec().effective, generation: 1, now: now)
        let s = DatacenterHealth.observe(ready, generation: 2, now: now.addingTimeInterval(60))
        #expect(s.observedGeneration == 2)
        #expect(s.conditions.allSatisfy { $0.observedGeneration == 2 })
        #expect(s.conditions.map(\.lastTransitionTime) == ready.conditions.map(\.lastTransitionTime))
        #expect(s.phase == ready.phase)
    }
}
