import FederationAPI
import FederationCore
import Foundation
import Testing

/// The FederationPolicy status the reconciler writes after each decision.
struct FederationPolicyStatusBuilderTests {
    typealias T = FederationPolicy.ConditionType
    typealias R = FederationPolicy.Reason
    static let members = [Promo.unreachable("a", since: 60), Promo.ready("b"), Promo.ready("c")]

    static func build(
        _ policy: FederationPolicy, _ members: [MemberView] = members, markers: [MemberMarker]? = nil, now: Int = 100
    ) -> (PromotionDecision, FederationPolicyStatus) {
        let markers = markers ?? Promo.currentMarkers(policy, members)
        let decision = planPromotion(policy: policy, members: members, markers: markers, quorum: QuorumView(members: members), now: Promo.at(now))
        return (decision, FederationPolicyStatusBuilder.build(policy: policy, members: members, markers: markers, decision: decision, now: Promo.at(now)))
    }

    /// (status, reason) of each condition type, nil when absent.
    static func conditions(_ status: FederationPolicyStatus) -> [String: String] {
        Dictionary(uniqueKeysWithValues: status.conditions.map { ($0.type, "\($0.status.rawValue) \($0.reason)") })
    }

    @Test func promotionRaisesEpochRecordsItAndReportsPromoting() throws {
        let (decision, status) = Self.build(Promo.policy(epoch: 4))
        #expect(decision == .promote(from: "a", to: "b", epoch: 5, reason: R.primaryUnreachable))
        #expect(status.primary == "b")
        #expect(status.epoch == 5)
        let record = PromotionRecord(from: "a", to: "b", epoch: 5, reason: R.primaryUnreachable, time: KubeTime(Promo.at(100)))
        #expect(status.lastPromotion == record)
        #expect(status.history == [record])
        #expect(status.observedGeneration == 3)
        #expect(Self.conditions(status) == [
            T.promoting: "True RaisingEpoch", T.splitBrainDetected: "False SinglePrimary",
            T.primaryAvailable: "True PrimaryReady", T.ready: "False RaisingEpoch", T.reconciling: "True RaisingEpoch",
        ])
        #expect(status.members.map(\.role) == [.secondary, .primary, .secondary])
        #expect(status.conditions.allSatisfy { $0.observedGeneration == 3 })
    }

    @Test func historyIsBoundedToTwentyNewestFirst() {
        let old = (1...20).reversed().map { PromotionRecord(from: "x", to: "y", epoch: Int64($0), reason: R.plannedPromotion, time: KubeTime(Promo.at($0))) }
        let (_, status) = Self.build(Promo.policy(epoch: 20, history: old))
        #expect(status.history.count == FederationPolicy.historyLimit)
        #expect(status.history.map(\.epoch) == Array((2...21).reversed()))
    }

    @Test func steadyPrimaryIsReadyWithoutReconcilingOrStalled() {
        let members = [Promo.ready("a"), Promo.ready("b"), Promo.suspect("c")]
        let (decision, status) = Self.build(Promo.policy(epoch: 3), members)
        #expect(decision == .stay(primary: "a", epoch: 3))
        #expect(Self.conditions(status) == [
            T.promoting: "False Idle", T.splitBrainDetected: "False SinglePrimary", T.primaryAvailable: "True PrimaryReady", T.ready: "True PrimaryReady",
        ])
        #expect(status.readyMembers == 2)
        #expect(status.conditions.condition(T.ready)?.message == "a is primary at epoch 3; 2 of 3 members Ready.")
    }

    @Test func laggingMarkerKeepsPromotingTrue() {
        let members = [Promo.ready("a"), Promo.ready("b"), Promo.ready("c")]
        let (_, status) = Self.build(
            Promo.policy(spec: "b", status: "b", epoch: 2), members,
            markers: [Promo.marker("a", "a", 1), Promo.marker("b", "a", 1), Promo.marker("c", "b", 2)])
        #expect(Self.conditions(status)[T.promoting] == "True RaisingEpoch")
        #expect(status.conditions.condition(T.promoting)?.message == "Writing epoch 2 to: b, a.")
        #expect(Self.conditions(status)[T.ready] == "False RaisingEpoch")
    }

    @Test func splitBrainIsStalledWithTheMessage() throws {
        let members = [Promo.ready("a"), Promo.ready("b"), Promo.ready("c")]
        let (_, status) = Self.build(Promo.policy(epoch: 2), members, markers: [Promo.marker("a", "a", 2), Promo.marker("b", "b", 5)])
        let condition = try #require(status.conditions.condition(T.splitBrainDetected))
        #expect(condition.status == .true)
        #expect(condition.message.contains("resolve-split-brain=5"))
        #expect(Self.conditions(status)[T.stalled] == "True ConflictingPrimaries")
        #expect(Self.conditions(status)[T.ready] == "False ConflictingPrimaries")
        #expect(Self.conditions(status)[T.promoting] == "False Idle")
        #expect(status.epoch == 2)
    }

    @Test func countdownReportsPrimaryUnreachableAndReconciling() {
        let members = [Promo.unreachable("a", since: 90), Promo.ready("b"), Promo.ready("c")]
        let (_, status) = Self.build(Promo.policy(), members)
        #expect(Self.conditions(status)[T.primaryAvailable] == "False PrimaryUnreachable")
        #expect(Self.conditions(status)[T.ready] == "False PrimaryUnreachable")
        #expect(Self.conditions(status)[T.reconciling] == "True PrimaryUnreachable")
        #expect(Self.conditions(status)[T.stalled] == nil)
    }

    @Test func quorumLostIsNotReadyButNotStalled() {
        let members = [Promo.unreachable("a"), Promo.ready("b"), Promo.unreachable("c")]
        let (_, status) = Self.build(Promo.policy(), members)
        #expect(Self.conditions(status)[T.ready] == "False QuorumLost")
        #expect(Self.conditions(status)[T.stalled] == nil)
        #expect(Self.conditions(status)[T.reconciling] == nil)
    }

    /// kstatus: a policy that cannot progress until a person promotes (or the primary returns) is
    /// Stalled, as a ServiceFailover awaiting a manual failover is.
    @Test func awaitingManualPromotionIsStalledUntilThePrimaryReturns() {
        let (_, waiting) = Self.build(Promo.policy(mode: .manual), [Promo.unreachable("a", since: 99), Promo.ready("b"), Promo.ready("c")])
        #expect(Self.conditions(waiting)[T.stalled] == "True AwaitingManualPromotion")
        #expect(Self.conditions(waiting)[T.ready] == "False AwaitingManualPromotion")
        let (_, back) = Self.build(Promo.policy(mode: .manual), [Promo.ready("a"), Promo.ready("b"), Promo.ready("c")])
        #expect(Self.conditions(back)[T.stalled] == nil)
    }

    @Test func noPrimaryYetReportsTheBlockingReason() {
        let members = [Promo.pending("a"), Promo.ready("b"), Promo.ready("c")]
        let (_, status) = Self.build(Promo.policy(status: nil, epoch: nil), members)
        #expect(Self.conditions(status)[T.primaryAvailable] == "False PrimaryNotReady")
        #expect(status.conditions.condition(T.promoting)?.message == "No primary has been assigned yet.")
        #expect(status.members.allSatisfy { $0.role == .secondary })
    }

    @Test func membersCarryMarkerEpochsAndKeepThemWhileUnreachable() {
        var policy = Promo.policy(epoch: 4)
        policy.status?.members = [FederationMember(name: "a", role: .primary, phase: .ready, epoch: 4)]
        let members = [Promo.unreachable("a", since: 90), Promo.ready("b"), Promo.ready("c")]
        let (_, status) = Self.build(policy, members, markers: [Promo.marker("b", "a", 4), Promo.marker("c", "a", 3)])
        #expect(status.members == [
            FederationMember(name: "a", role: .primary, phase: .unreachable, epoch: 4),
            FederationMember(name: "b", role: .secondary, phase: .ready, epoch: 4),
            FederationMember(name: "c", role: .secondary, phase: .ready, epoch: 3),
        ])
    }

    @Test func unchangedConditionsKeepTheirTransitionTimes() {
        let members = [Promo.ready("a"), Promo.ready("b"), Promo.ready("c")]
        var policy = Promo.policy(epoch: 3)
        let (_, first) = Self.build(policy, members, now: 100)
        policy.status = first
        let (_, second) = Self.build(policy, members, now: 500)
        #expect(second == first)
    }

    @Test func manualFailbackPendingIsExplainedInReady() throws {
        let policy = Promo.policy(spec: "a", status: "b", epoch: 2, failback: .manual, history: [Promo.failedOver(from: "a", to: "b", epoch: 2)])
        let members = [Promo.ready("a"), Promo.ready("b"), Promo.ready("c")]
        let (_, status) = Self.build(policy, members)
        let ready = try #require(status.conditions.condition(T.ready))
        #expect(ready.status == .true)
        #expect(ready.message.contains("failback is Manual"))
        #expect(ready.message.contains(PromotionAnnotation.failbackRequestedAt))
    }
}
