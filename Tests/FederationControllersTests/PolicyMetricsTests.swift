import FederationAPI
import Foundation
import KubernetesAPI
import Testing

@testable import FederationControllers

/// The FederationPolicy series are read from the policy's status as `kubectl get fp` shows it.
struct PolicyMetricsTests {
    private static let t = KubeTime(Date(timeIntervalSince1970: 1_800_000_000))

    private func policy(epoch: Int64?, conditions: [(String, ConditionStatus, String)]) -> FederationPolicy {
        FederationPolicy(
            metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(primary: "us-east"),
            status: FederationPolicyStatus(
                epoch: epoch,
                conditions: conditions.map { Condition(type: $0.0, status: $0.1, lastTransitionTime: Self.t, reason: $0.2) }))
    }

    @Test func aHealthyPolicyExportsItsEpochAndNoAlarm() {
        let p = policy(epoch: 3, conditions: [("Ready", .true, "PrimaryReady"), ("SplitBrainDetected", .false, "SinglePrimary")])
        let s = PolicyMetrics.series(of: p)
        #expect(s.epoch == 3 && s.splitBrain == 0 && s.blocked == 0)
    }

    @Test func aPolicyWithoutStatusExportsEpochZero() {
        let s = PolicyMetrics.series(of: FederationPolicy(metadata: ObjectMeta(name: "new"), spec: FederationPolicySpec(primary: "us-east")))
        #expect(s.epoch == 0 && s.splitBrain == 0 && s.blocked == 0)
    }

    @Test(arguments: ["QuorumLost", "NoEligibleCandidate", "AwaitingManualPromotion", "PrimaryNotMember", "PrimaryUnschedulable", "PrimaryNotReady"])
    func aBlockingReadyReasonIsABlockedPromotion(_ reason: String) {
        #expect(PolicyMetrics.series(of: policy(epoch: 2, conditions: [("Ready", .false, reason)])).blocked == 1)
    }

    @Test(arguments: ["RaisingEpoch", "PrimaryUnreachable", "Stabilizing", "ConflictingPrimaries"])
    func aPromotionInFlightOrWaitingOrASplitBrainIsNotABlockedPromotion(_ reason: String) {
        #expect(PolicyMetrics.series(of: policy(epoch: 2, conditions: [("Ready", .false, reason)])).blocked == 0)
    }

    @Test func aSplitBrainIsReported() {
        let p = policy(epoch: 4, conditions: [("Ready", .false, "ConflictingPrimaries"), ("SplitBrainDetected", .true, "ConflictingPrimaries")])
        #expect(PolicyMetrics.series(of: p).splitBrain == 1)
    }
}
