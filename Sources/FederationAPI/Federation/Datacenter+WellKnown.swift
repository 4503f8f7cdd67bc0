import Foundation
import KubernetesAPI

extension Datacenter {
    /// The finalizer that removes Concord's objects from the member before the Datacenter goes away.
    public static let finalizer = FederationFinalizer.cleanup

    /// The Lease a Pull-mode agent renews in the hub: `concord-system/dc-<name>`.
    public static func leaseName(for datacenter: String) -> String { "dc-\(datacenter)" }
    /// The namespace of the Pull-mode Lease.
    public static let leaseNamespace = FederationGroup.systemNamespace

    /// Announces new credentials: any new value makes the controller read the credentials Secret
    /// again at once and reconnect if it changed (`concord restore` sets it to the Secret's new
    /// resourceVersion). Without it a Secret edited in place is read again within the refresh period (30 s).
    public static let credentialsRevisionAnnotation = "federation.concord.dev/credentials-revision"

    /// What the member client is built from, as the Datacenter names it: the credentials Secret and
    /// key, and the announced credentials revision. A change makes the controller read the Secret again.
    public var credentialsSource: String {
        guard let ref = spec.credentialsRef else { return "" }
        return "\(ref.effectiveNamespace)/\(ref.name)#\(ref.effectiveKey)@\(metadata.annotations?[Self.credentialsRevisionAnnotation] ?? "")"
    }

    /// Condition types of a Datacenter.
    public enum ConditionType {
        /// True once the member has answered at least once and its server version is recorded.
        public static let registered = "Registered"
        /// True when the latest probe (or Lease renewal, in Pull mode) succeeded.
        public static let reachable = "Reachable"
        /// Summary: True while the datacenter is Ready or merely Suspect.
        public static let ready = CommonConditionType.ready
        /// True while the finalizer's cleanup is in progress.
        public static let reconciling = CommonConditionType.reconciling
        /// True when cleanup gave up after its bounded wait.
        public static let stalled = CommonConditionType.stalled
    }

    /// Condition reasons of a Datacenter.
    public enum Reason {
        /// Registered/Reachable Unknown: no probe has run yet.
        public static let awaitingFirstProbe = "AwaitingFirstProbe"
        /// Registered True: the member answered and reported its version.
        public static let connected = "Connected"
        /// Reachable True: the latest probe succeeded.
        public static let probeSucceeded = "ProbeSucceeded"
        /// Ready True: phase Ready.
        public static let healthy = "Healthy"
        /// Ready True: phase Suspect (still used; probes are failing or recovering).
        public static let suspect = "Suspect"
        /// Ready False: phase Pending.
        public static let pending = "Pending"
        /// Ready False: phase Unreachable.
        public static let unreachable = "Unreachable"
        /// Ready False: phase Unreachable, but probes have started to succeed again.
        public static let recovering = "Recovering"

        /// Probe failure: the TCP or TLS connection failed.
        public static let connectionFailed = "ConnectionFailed"
        /// Probe failure: no answer within `timeoutSeconds`.
        public static let probeTimeout = "ProbeTimeout"
        /// Probe failure: `/readyz` or the API call answered with an error.
        public static let probeFailed = "ProbeFailed"
        /// Probe failure: the member rejected the credentials (401/403).
        public static let unauthorized = "Unauthorized"
        /// Probe failure: the kubeconfig Secret named by `credentialsRef` is missing or unusable.
        public static let credentialsUnavailable = "CredentialsUnavailable"
        /// Probe failure (Pull mode): the agent's Lease was not renewed in time.
        public static let leaseExpired = "LeaseExpired"
        /// Probe failure (Pull mode): the agent has not created its Lease yet.
        public static let leaseMissing = "LeaseMissing"
    }
}
