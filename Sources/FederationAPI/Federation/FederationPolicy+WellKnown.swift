import Foundation
import KubernetesAPI

extension FederationPolicy {
    /// The most promotions kept in `status.history`.
    public static let historyLimit = 20

    /// Condition types of a FederationPolicy.
    public enum ConditionType {
        /// Summary: True when the primary in force is Ready and no promotion is in flight.
        public static let ready = CommonConditionType.ready
        /// True when the primary in force is Ready or Suspect.
        public static let primaryAvailable = "PrimaryAvailable"
        /// True while a promotion (raising the epoch on every reachable member) is in flight.
        public static let promoting = "Promoting"
        /// True when a member claims to be primary with an epoch that is not the policy's.
        public static let splitBrainDetected = "SplitBrainDetected"
        /// True while work is in flight.
        public static let reconciling = CommonConditionType.reconciling
        /// True on terminal failure.
        public static let stalled = CommonConditionType.stalled
    }

    /// Condition and promotion reasons of a FederationPolicy.
    public enum Reason {
        /// The first primary was assigned (epoch 1).
        public static let initialPrimary = "InitialPrimary"
        /// A person changed `spec.primary`.
        public static let plannedPromotion = "PlannedPromotion"
        /// The primary was Unreachable for `unreachableForSeconds`.
        public static let primaryUnreachable = "PrimaryUnreachable"
        /// The desired primary was healthy for `stabilizationSeconds` and took over again.
        public static let failback = "Failback"
        /// PrimaryAvailable True.
        public static let primaryReady = "PrimaryReady"
        /// Promotion needed but mode is Manual.
        public static let awaitingManualPromotion = "AwaitingManualPromotion"
        /// Promotion needed but no member is eligible.
        public static let noEligibleCandidate = "NoEligibleCandidate"
        /// Promotion needed but the controller reaches no majority of members.
        public static let quorumLost = "QuorumLost"
        /// `spec.primary` names a datacenter that is not a selected member.
        public static let primaryNotMember = "PrimaryNotMember"
        /// Writing the new epoch to the members.
        public static let raisingEpoch = "RaisingEpoch"
        /// No promotion in flight.
        public static let idle = "Idle"
        /// A returning member held an older epoch and was demoted.
        public static let staleMemberFenced = "StaleMemberFenced"
        /// SplitBrainDetected True.
        public static let conflictingPrimaries = "ConflictingPrimaries"
        /// SplitBrainDetected False.
        public static let singlePrimary = "SinglePrimary"
    }
}
