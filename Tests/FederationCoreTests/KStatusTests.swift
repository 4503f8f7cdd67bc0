import FederationAPI
import FederationCore
import Foundation
import Testing

/// The kstatus summary GitOps tools compute.
struct KStatusTests {
    static let t = KubeTime(Date(timeIntervalSince1970: 0))
    static func c(_ type: String, _ status: ConditionStatus) -> Condition {
        Condition(type: type, status: status, lastTransitionTime: t, reason: "Because")
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let generation: Int64?
        let observed: Int64?
        let deleting: Bool
        let conditions: [Condition]
        let expected: KStatus
        var testDescription: String { name }
        init(_ name: String, _ generation: Int64?, _ observed: Int64?, _ deleting: Bool, _ conditions: [Condition], _ expected: KStatus) {
            (self.name, self.generation, self.observed, self.deleting, self.conditions, self.expected) = (name, generation, observed, deleting, conditions, expected)
        }
    }

    @Test(arguments: [
        Case("deleting wins", 2, 1, true, [c("Ready", .true)], KStatus.terminating),
        Case("spec not yet observed", 2, 1, false, [c("Ready", .true)], .inProgress),
        Case("no observedGeneration skips the check", 2, nil, false, [c("Ready", .true)], .current),
        Case("reconciling", 1, 1, false, [c("Reconciling", .true), c("Ready", .true)], .inProgress),
        Case("stalled", 1, 1, false, [c("Stalled", .true), c("Ready", .false)], .failed),
        Case("reconciling before stalled", 1, 1, false, [c("Stalled", .true), c("Reconciling", .true)], .inProgress),
        Case("ready", 1, 1, false, [c("Ready", .true), c("Stalled", .false)], .current),
        Case("not ready", 1, 1, false, [c("Ready", .false)], .inProgress),
        Case("ready unknown", 1, 1, false, [c("Ready", .unknown)], .inProgress),
        Case("no conditions", 1, 1, false, [], .current),
    ])
    func compute(_ c: Case) {
        let result = KStatus.compute(generation: c.generation, observedGeneration: c.observed, deletionTimestamp: c.deleting ? Self.t : nil, conditions: c.conditions)
        #expect(result == c.expected)
    }

    @Test func ofAFederationObject() {
        var dc = Datacenter(metadata: ObjectMeta(name: "us-east", generation: 1), spec: DatacenterSpec(region: "r"))
        #expect(KStatus.of(dc) == .current)
        dc.status = DatacenterHealth.evaluate(previous: nil, probe: Health.ok, healthCheck: Health.defaults, generation: 1, now: Health.at(0))
        #expect(KStatus.of(dc) == .inProgress)  // Pending: Ready False
        dc.status = Health.ready
        #expect(KStatus.of(dc) == .current)
        dc.metadata.generation = 2
        #expect(KStatus.of(dc) == .inProgress)
    }
}
