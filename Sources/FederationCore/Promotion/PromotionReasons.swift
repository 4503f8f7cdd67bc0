import FederationAPI
import Foundation

extension FederationPolicy.Reason {
    /// Promotion reason: a person acknowledged a split brain and spec.primary was promoted above
    /// every epoch seen.
    public static let splitBrainResolved = "SplitBrainResolved"
    /// Blocked: the datacenter to promote is cordoned (`spec.unschedulable`).
    public static let primaryUnschedulable = "PrimaryUnschedulable"
    /// Blocked: the datacenter to promote is not Ready (Pending, Suspect or Unreachable).
    public static let primaryNotReady = "PrimaryNotReady"
    /// Waiting: the desired primary is healthy again but not yet for `stabilizationSeconds`.
    public static let stabilizing = "Stabilizing"
}

/// Annotations a person sets on a FederationPolicy to authorise what the controller will not do on
/// its own.
public enum PromotionAnnotation {
    /// Acknowledges a split brain. The value must equal the highest epoch the SplitBrainDetected
    /// condition reports; the controller then promotes `spec.primary` at that epoch + 1. An
    /// acknowledgement of an older situation (another number) is ignored.
    public static let resolveSplitBrain = "federation.concord.dev/resolve-split-brain"
    /// Requests a failback when `failback` is Manual: an RFC 3339 time later than the last
    /// promotion moves the primary back to `spec.primary` (like `kubectl rollout restart`'s
    /// `restartedAt`). `concord datacenter promote NAME` sets it when NAME already is spec.primary.
    public static let failbackRequestedAt = "federation.concord.dev/failback-requested-at"
    /// Requests an ActiveActive ServiceFailover's rebalance: an RFC 3339 time at or after the start
    /// of its last redistribution lets datacenters that run nothing (a returned one) take their
    /// share now. `concord service rebalance NAME` sets it.
    public static let rebalanceRequestedAt = "federation.concord.dev/rebalance-requested-at"
}
