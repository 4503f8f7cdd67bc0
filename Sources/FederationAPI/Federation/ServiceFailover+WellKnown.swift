import Foundation
import KubernetesAPI

extension ServiceFailover {
    /// The most transitions kept in `status.history`.
    public static let historyLimit = 20

    /// The name of the global Service (and its EndpointSlice) in every reachable member.
    public static func globalServiceName(for service: String) -> String { "\(service)-global" }

    /// Condition types of a ServiceFailover.
    public enum ConditionType {
        /// Summary: True when the Service is Available and no move is in flight.
        public static let ready = CommonConditionType.ready
        /// True when the active datacenter has at least `minReadyReplicas` ready replicas.
        public static let available = "Available"
        /// True while the Service runs somewhere other than `spec.primary`.
        public static let failedOver = "FailedOver"
        /// True while a failover, failback or migration is in flight.
        public static let progressing = "Progressing"
        /// True while work is in flight.
        public static let reconciling = CommonConditionType.reconciling
        /// True on terminal failure.
        public static let stalled = CommonConditionType.stalled
    }

    /// Condition and transition reasons of a ServiceFailover.
    public enum Reason {
        /// Transition: the active datacenter was Unreachable for `unhealthyForSeconds`.
        public static let datacenterUnreachable = "DatacenterUnreachable"
        /// Transition: ready replicas stayed below `minReadyReplicas` for `unhealthyForSeconds`.
        public static let replicasUnavailable = "ReplicasUnavailable"
        /// Transition: a person changed `spec.primary`.
        public static let plannedMigration = "PlannedMigration"
        /// Transition: back to `spec.primary` after `stabilizationSeconds` of health.
        public static let failback = "Failback"
        /// Available True.
        public static let minimumReplicasAvailable = "MinimumReplicasAvailable"
        /// Available False: the active site's replicas were available and no longer are (the failover clock runs).
        public static let minimumReplicasUnavailable = "MinimumReplicasUnavailable"
        /// Available False: the workload has not been available in the active site since the ServiceFailover
        /// was created (its first rollout), so its unready replicas start no failover clock.
        public static let notYetAvailable = "NotYetAvailable"
        /// Progressing True: scaling up the target before switching traffic.
        public static let scalingUpTarget = "ScalingUpTarget"
        /// Progressing True: switching the global Service and EndpointSlices.
        public static let switchingTraffic = "SwitchingTraffic"
        /// Progressing False: nothing in flight.
        public static let stable = "Stable"
        /// Ready/Progressing False: no failover target fits; nothing was evicted.
        public static let noFittingTarget = "NoFittingTarget"
        /// Progressing False: the target did not become ready within `readinessTimeoutSeconds`.
        public static let readinessTimeout = "ReadinessTimeout"
        /// Ready False, Stalled True: failover is needed but mode is Manual; the message says what a person must do.
        public static let awaitingManualFailover = "AwaitingManualFailover"
        /// FailedOver False: running in `spec.primary`.
        public static let runningInPrimary = "RunningInPrimary"
        /// FailedOver True: running in a failover datacenter.
        public static let runningInFailover = "RunningInFailover"
        /// Ready False: the Service or workload is missing in the primary.
        public static let serviceNotFound = "ServiceNotFound"
        /// Ready False, Stalled: the spec cannot be acted on (an unknown datacenter, an empty or repeated failover list).
        public static let invalidSpec = CommonReason.invalidSpec
        /// Ready False: the members' caches are still loading, or no member can be reached yet.
        public static let waitingForMembers = "WaitingForMembers"
        /// Ready False, Stalled: an older ServiceFailover in the namespace already manages the same
        /// Service or workload; this one acts on nothing until it is the only one.
        public static let serviceClaimed = "ServiceClaimed"
        /// Event: traffic now goes to a datacenter (the global Service's EndpointSlices were switched).
        public static let trafficSwitched = "TrafficSwitched"
        /// Event: a warm standby copy of the workload or the Service was created in a failover datacenter.
        public static let standbyCreated = "StandbyCreated"
        /// ActiveActive redistribution: the service's first placement (nothing placed, nothing moved before).
        public static let initialPlacement = "InitialPlacement"
        /// ActiveActive redistribution: the spec (replicas, placement) changed.
        public static let placementChanged = "PlacementChanged"
        /// ActiveActive redistribution: a datacenter left out (lost, cordoned, not Ready) got its share
        /// back (after the window, or on request), or a person asked for a rebalance.
        public static let rebalance = "Rebalance"
        /// ActiveActive redistribution: a datacenter entered or left `placement.datacenterSelector`'s selection (its labels changed).
        public static let selectionChanged = "SelectionChanged"
        /// ActiveActive redistribution: a placed datacenter was cordoned (`spec.unschedulable`).
        public static let datacenterCordoned = "DatacenterCordoned"
        /// ActiveActive redistribution: the room left in the datacenters changed (capacity, or other services' placements).
        public static let capacityChanged = "CapacityChanged"
        /// FailedOver False in ActiveActive mode: nothing fails over, replicas are divided.
        public static let activeActive = "ActiveActive"
        /// Ready False, phase Degraded: some replicas have no room in any candidate datacenter.
        public static let insufficientCapacity = "InsufficientCapacity"
        /// Event on a Datacenter: what a deleted ServiceFailover left there while the datacenter could
        /// not be reached (its global Service and EndpointSlices, copies scaled to 0) was removed.
        public static let leftoversRemoved = "LeftoversRemoved"
        /// Event: a write into a member failed; the next pass plans again.
        public static let memberWriteFailed = "MemberWriteFailed"
    }
}
