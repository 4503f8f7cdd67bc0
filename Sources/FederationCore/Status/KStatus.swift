import FederationAPI
import Foundation

/// The summary status GitOps tools compute for any object (kstatus, as Flux and Argo CD use it).
public enum KStatus: String, Hashable, Sendable, CaseIterable {
    /// Deletion was requested.
    case terminating = "Terminating"
    /// The controller has not caught up with the spec, or work is in flight.
    case inProgress = "InProgress"
    /// `Stalled=True`: the controller hit a terminal failure.
    case failed = "Failed"
    /// The desired state is achieved.
    case current = "Current"

    /// Applies the kstatus rules in order: deletionTimestamp → Terminating; generation ≠ the
    /// top-level observedGeneration (when present) → InProgress; `Reconciling=True` → InProgress;
    /// `Stalled=True` → Failed; `Ready` True → Current, False/Unknown → InProgress; otherwise Current.
    public static func compute(
        generation: Int64?, observedGeneration: Int64?, deletionTimestamp: KubeTime?, conditions: [Condition]
    ) -> KStatus {
        if deletionTimestamp != nil { return .terminating }
        if let observedGeneration, let generation, observedGeneration != generation { return .inProgress }
        if conditions.isTrue(CommonConditionType.reconciling) { return .inProgress }
        if conditions.isTrue(CommonConditionType.stalled) { return .failed }
        if let ready = conditions.condition(CommonConditionType.ready) { return ready.status == .true ? .current : .inProgress }
        return .current
    }

    /// The kstatus of a federation object. Like kstatus itself, an object without status counts
    /// as Current: GitOps tools see it that way until the controller writes conditions.
    public static func of<R: StatusHavingResource>(_ object: R) -> KStatus where R.ResourceStatus: ConditionedStatus {
        compute(
            generation: object.metadata.generation, observedGeneration: object.status?.observedGeneration,
            deletionTimestamp: object.metadata.deletionTimestamp, conditions: object.status?.conditions ?? []
        )
    }
}
