import Foundation
import KubernetesAPI

extension ReplicationRule {
    /// The most conflicts kept in `status.conflicts`.
    public static let conflictLimit = 50

    /// The value of the `rule` annotation on replicas this rule owns: `namespace/name`.
    public var ruleAnnotationValue: String { "\(metadata.namespace ?? "")/\(metadata.name ?? "")" }

    /// Condition types of a ReplicationRule.
    public enum ConditionType {
        /// Summary: True when every reachable, allowed target is Synced and no conflict waits for a person.
        public static let ready = CommonConditionType.ready
        /// True when every reachable, allowed target holds the source's latest revision.
        public static let synced = "Synced"
        /// True while a listed conflict is open: waiting for a person (Manual, or an object two rules
        /// select), kept by TargetWins, or found by the latest pass. False once `status.conflicts` holds
        /// only resolved ones (history) or nothing.
        public static let conflictsDetected = "ConflictsDetected"
        /// True when residency kept some objects out of some targets.
        public static let residencyBlocked = "ResidencyBlocked"
        /// True while work is in flight.
        public static let reconciling = CommonConditionType.reconciling
        /// True on terminal failure.
        public static let stalled = CommonConditionType.stalled
    }

    /// Condition reasons of a ReplicationRule.
    public enum Reason {
        /// Synced True.
        public static let allTargetsSynced = "AllTargetsSynced"
        /// Synced False: some targets lag.
        public static let targetsBehind = "TargetsBehind"
        /// Synced False: some targets are unreachable.
        public static let targetsUnreachable = "TargetsUnreachable"
        /// Ready False: the source datacenter cannot be read.
        public static let sourceUnavailable = "SourceUnavailable"
        /// Ready False: `source` names no Datacenter.
        public static let sourceNotFound = "SourceNotFound"
        /// ConflictsDetected True: some conflicts wait for a person (Manual).
        public static let manualResolutionRequired = "ManualResolutionRequired"
        /// ConflictsDetected True: conflicts the latest pass found (or TargetWins keeps), resolved by the strategy.
        public static let conflictsResolved = "ConflictsResolved"
        /// ConflictsDetected False: no conflict was ever listed (or none is listed any more).
        public static let noConflicts = "NoConflicts"
        /// ConflictsDetected False: `status.conflicts` lists only resolved conflicts, as history.
        public static let noOpenConflicts = "NoOpenConflicts"
        /// ResidencyBlocked True.
        public static let outsideAllowedRegions = "OutsideAllowedRegions"
        /// Stalled True: a resource entry names a kind the source datacenter does not serve.
        public static let unknownKind = "UnknownKind"
        /// Synced False: some targets do not serve a kind the rule replicates (its CustomResourceDefinition
        /// is installed only at the source); they are not written until it is installed there.
        public static let kindNotServed = "KindNotServed"
        /// Ready False: no object at the source matches the resources (yet).
        public static let nothingSelected = "NothingSelected"
        /// Stalled True: a label selector of the spec is one kube-apiserver would refuse.
        public static let invalidSelector = "InvalidSelector"
        /// Stalled True: residency excludes every target datacenter.
        public static let noAllowedTargets = "NoAllowedTargets"
        /// Synced False: writes to some targets failed; they are retried.
        public static let targetsFailed = "TargetsFailed"
        /// Stalled True: a member refused a write as invalid or forbidden (400, 403, 422), which
        /// retrying the same write cannot change; it is still retried with backoff.
        public static let writeRejected = "WriteRejected"
        /// Ready False: no primary is in force yet (`source: Primary`).
        public static let noPrimary = "NoPrimary"
        /// Ready False: no Datacenter but the source matches `spec.targets`.
        public static let noTargets = "NoTargets"
        /// Stalled True: a resource entry names a cluster-scoped kind and the rule is not in `concord-system`.
        public static let clusterScopedKind = "ClusterScopedKind"
        /// ResidencyBlocked False.
        public static let allTargetsAllowed = "AllTargetsAllowed"
        /// Stalled True: the FederationPolicy's topology is Mesh and the rule's strategy is SourceWins,
        /// which needs one source.
        public static let sourceWinsInMesh = "SourceWinsInMesh"
    }
}
