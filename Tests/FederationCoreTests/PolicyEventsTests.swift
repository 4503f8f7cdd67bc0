import FederationAPI
import FederationCore
import Foundation
import Testing

/// Which events a FederationPolicy reconcile pass records.
struct PolicyEventsTests {
    typealias R = FederationPolicy.Reason
    typealias T = FederationPolicy.ConditionType

    static func policy(conditions: [Condition] = []) -> FederationPolicy {
        FederationPolicy(
            metadata: ObjectMeta(name: "global", uid: "p-uid"), spec: FederationPolicySpec(primary: "a"),
            status: FederationPolicyStatus(primary: "a", epoch: 1, conditions: conditions))
    }

    static func condition(_ type: String, _ status: ConditionStatus, _ reason: String, _ message: String = "why") -> Condition {
        Condition(type: type, status: status, lastTransitionTime: KubeTime(Date(timeIntervalSince1970: 0)), reason: reason, message: message)
    }

    @Test func aPromotionIsRecordedOnThePolicyAndOnTheNewPrimary() {
        let decision = PromotionDecision.promote(from: "a", to: "b", epoch: 2, reason: R.primaryUnreachable)
        let events = PolicyEvents.forStatusChange(policy: Self.policy(), status: FederationPolicyStatus(primary: "b", epoch: 2), decision: decision)
        #expect(events.map(\.reason) == ["PrimaryPromoted", "Promoted"])
        #expect(events[0].regarding.kind == "FederationPolicy")
        #expect(events[0].note == "b is primary at epoch 2 (PrimaryUnreachable); previous primary a.")
        #expect(events[1].regarding.kind == "Datacenter")
        #expect(events[1].regarding.name == "b")
        #expect(events[1].related?.uid == "p-uid")
        #expect(events.allSatisfy { $0.type == Event.normal })
    }

    @Test func aBlockedPromotionIsAWarningOnceUntilItsReasonChanges() {
        let decision = PromotionDecision.blocked(reason: R.quorumLost, message: "reaches 1 of 3")
        let first = PolicyEvents.forStatusChange(policy: Self.policy(), status: FederationPolicyStatus(), decision: decision)
        #expect(first.map(\.reason) == ["PromotionBlocked"])
        #expect(first[0].type == Event.warning)
        #expect(first[0].note == "QuorumLost: reaches 1 of 3")
        let already = Self.policy(conditions: [Self.condition(T.ready, .false, R.quorumLost)])
        #expect(PolicyEvents.forStatusChange(policy: already, status: FederationPolicyStatus(), decision: decision).isEmpty)
    }

    @Test func aSplitBrainIsAWarningWhenDetectedAndNormalWhenResolved() {
        let conflict = PromotionDecision.blocked(reason: R.conflictingPrimaries, message: "a and b claim epoch 3")
        let detected = FederationPolicyStatus(conditions: [Self.condition(T.splitBrainDetected, .true, R.conflictingPrimaries, "a and b claim epoch 3")])
        let events = PolicyEvents.forStatusChange(policy: Self.policy(), status: detected, decision: conflict)
        #expect(events.map(\.reason) == ["SplitBrainDetected"])
        #expect(events[0].type == Event.warning)
        let during = Self.policy(conditions: [Self.condition(T.splitBrainDetected, .true, R.conflictingPrimaries)])
        #expect(PolicyEvents.forStatusChange(policy: during, status: detected, decision: conflict).isEmpty)
        let cleared = FederationPolicyStatus(conditions: [Self.condition(T.splitBrainDetected, .false, R.singlePrimary)])
        let resolved = PolicyEvents.forStatusChange(policy: during, status: cleared, decision: .stay(primary: "a", epoch: 4))
        #expect(resolved.map(\.reason) == ["SplitBrainResolved"])
    }

    static func write(_ dc: String, role: DatacenterRole) -> MarkerWrite {
        MarkerWrite(datacenter: dc, marker: FencingMarker(policy: "global", primary: "b", epoch: 2), precondition: .mustNotExist, role: role)
    }

    static func marker(_ dc: String, primary: String, epoch: Int64) -> MemberMarker {
        MemberMarker(datacenter: dc, marker: FencingMarker(policy: "global", primary: primary, epoch: epoch), resourceVersion: "1")
    }

    @Test func demotingAFormerPrimaryIsAWarningAfterAFailoverAndNormalAfterAHandover() throws {
        let failover = try #require(PolicyEvents.forMarkerWrite(
            Self.write("a", role: .secondary), previous: Self.marker("a", primary: "a", epoch: 1), policy: Self.policy(),
            lastPromotionReason: R.primaryUnreachable))
        #expect(failover.reason == "Demoted")
        #expect(failover.type == Event.warning)
        #expect(failover.note == "Fenced to epoch 2 as Secondary (it was primary at epoch 1); the primary is b.")
        let planned = try #require(PolicyEvents.forMarkerWrite(
            Self.write("a", role: .secondary), previous: Self.marker("a", primary: "a", epoch: 1), policy: Self.policy(),
            lastPromotionReason: R.plannedPromotion))
        #expect(planned.type == Event.normal)
    }

    @Test func markerWritesThatDemoteNobodyRecordNothing() {
        // The new primary's own write, and a member's first (placeholder) marker, are not demotions.
        #expect(PolicyEvents.forMarkerWrite(Self.write("b", role: .primary), previous: Self.marker("b", primary: "a", epoch: 1),
                                            policy: Self.policy(), lastPromotionReason: nil) == nil)
        #expect(PolicyEvents.forMarkerWrite(Self.write("c", role: .secondary), previous: Self.marker("c", primary: "", epoch: 0),
                                            policy: Self.policy(), lastPromotionReason: nil) == nil)
        #expect(PolicyEvents.forMarkerWrite(Self.write("c", role: .secondary), previous: nil, policy: Self.policy(), lastPromotionReason: nil) == nil)
        // A secondary moving up an epoch is not a demotion.
        #expect(PolicyEvents.forMarkerWrite(Self.write("c", role: .secondary), previous: Self.marker("c", primary: "a", epoch: 1),
                                            policy: Self.policy(), lastPromotionReason: R.primaryUnreachable) == nil)
    }
}
