import Foundation
import KubernetesAPI

/// The API group and version of Concord's federation kinds.
public enum FederationGroup {
    /// `federation.concord.dev`.
    public static let group = "federation.concord.dev"
    /// `v1alpha1`, the served and stored version.
    public static let version = "v1alpha1"
    /// `federation.concord.dev/v1alpha1`.
    public static let apiVersion = "\(group)/\(version)"
    /// The category every federation kind belongs to: `kubectl get concord` lists them all.
    public static let category = "concord"
    /// The namespace Concord keeps its own objects in (kubeconfig Secrets, Leases, fencing markers).
    public static let systemNamespace = "concord-system"
    /// The prefix of every label, annotation and finalizer Concord writes.
    public static let prefix = "federation.concord.dev/"

    /// The group-version-resource of a federation kind with this plural name.
    static func resource(_ plural: String) -> GroupVersionResource {
        GroupVersionResource(group: group, version: version, resource: plural)
    }
}

/// Condition types every federation kind publishes (the kstatus contract Flux and Argo CD read).
public enum CommonConditionType {
    /// Summary: True when the object's desired state is achieved.
    public static let ready = "Ready"
    /// True while the controller has work in flight.
    public static let reconciling = "Reconciling"
    /// True when the controller has hit a terminal failure and will not progress without help.
    public static let stalled = "Stalled"
}

/// Condition reasons shared by the federation kinds.
public enum CommonReason {
    /// The controller has not acted on the object yet.
    public static let awaitingReconcile = "AwaitingReconcile"
    /// The controller is working towards the desired state.
    public static let progressing = "Progressing"
    /// The desired state is achieved.
    public static let succeeded = "Succeeded"
    /// The object is being deleted and cleanup is in progress.
    public static let finalizing = "Finalizing"
    /// Cleanup could not finish within its bounded wait.
    public static let cleanupTimedOut = "CleanupTimedOut"
    /// The spec cannot be acted on (for example it names a datacenter that does not exist).
    public static let invalidSpec = "InvalidSpec"
}

/// The finalizers Concord adds.
public enum FederationFinalizer {
    /// Removes what Concord put into member datacenters before the object goes away.
    public static let cleanup = "federation.concord.dev/cleanup"
}

/// Label keys Concord writes or reads.
public enum FederationLabel {
    /// On any object: restricts the regions it may be replicated to (for example `eu`).
    public static let residency = "federation.concord.dev/residency"
    /// On objects Concord creates for a ServiceFailover (standby copies, global Service, EndpointSlice).
    public static let serviceFailover = "federation.concord.dev/service-failover"
    /// The datacenter an object speaks for: on hub Events relayed from a member, on the fencing
    /// footprint in a member, and on a Pull agent's Lease.
    public static let datacenter = "federation.concord.dev/datacenter"
    /// On every object Concord created and owns in a member datacenter: `"true"`.
    public static let managed = "federation.concord.dev/managed"
}

/// Annotation keys Concord writes on the objects it replicates.
public enum FederationAnnotation {
    /// The datacenter the replica was read from.
    public static let sourceDatacenter = "federation.concord.dev/source-datacenter"
    /// The `resourceVersion` of the source object that was copied.
    public static let sourceRevision = "federation.concord.dev/source-revision"
    /// The fencing epoch in force when the replica was written.
    public static let epoch = "federation.concord.dev/epoch"
    /// Hash of the replicated content as Concord last wrote it; a mismatch reveals a local change.
    public static let contentHash = "federation.concord.dev/content-hash"
    /// `namespace/name` of the ReplicationRule that owns the replica.
    public static let rule = "federation.concord.dev/rule"
    /// The hybrid logical clock of the last write, ordering LastWriterWins conflicts.
    public static let hybridLogicalClock = "federation.concord.dev/hlc"
    /// Set by a person on a replica in Manual conflict: `KeepSource` or `KeepTarget`.
    public static let resolution = "federation.concord.dev/resolution"
    /// `"true"` on an object that existed in its member before a rule stamped it (no rule had written
    /// it): deleting the rule removes its stamp there instead of deleting it.
    public static let adopted = "federation.concord.dev/adopted"
    /// Every annotation Concord stamps on a replica (removed when a rule lets go of an adopted object).
    public static let stamp = [sourceDatacenter, sourceRevision, epoch, contentHash, rule, hybridLogicalClock, adopted, resolution]
}
