import Foundation
import KubeClient

/// Every delay and time limit the federation controllers choose, named in one place.
///
/// Errors are not here: a reconcile that throws is retried by the controller's rate limiter
/// (per-key backoff 5 ms → 1000 s). These are the waits a reconciler asks for on purpose.
public struct RequeuePolicy: Sendable {
    /// A Push Datacenter without `spec.credentialsRef` is looked at again after this (its spec must change first).
    public var missingCredentialsRef: Duration
    /// A missing credentials Secret, or one without a usable kubeconfig, is read again after this.
    public var credentialsRetry: Duration
    /// How often the credentials Secret of a connected member is read again while nothing else changes.
    public var credentialsRefresh: Duration
    /// A deletion whose member could not be cleaned yet is tried again after this (within the cleanup bound).
    public var finalizeRetry: Duration
    /// Time limit of installing the fencing marker in a member.
    public var footprintInstallTimeout: Duration
    /// Time limit of removing it during a deletion.
    public var footprintRemoveTimeout: Duration
    /// How often a FederationPolicy is reconciled while nothing changes (markers and Datacenters arrive as events).
    public var policyResync: Duration
    /// A failed marker write is re-planned after this.
    public var markerRetry: Duration
    /// Time limit of one marker write.
    public var markerWriteTimeout: Duration
    /// A ReplicationRule whose source, a target or a write failed is planned again after this.
    public var replicationRetry: Duration
    /// Time limit of one replica write.
    public var replicationWriteTimeout: Duration
    /// How long a replication pass waits for one target's writes before reporting it Syncing and
    /// leaving them to finish on their own (so a slow member holds back no other).
    public var replicationLaneWait: Duration
    /// A ReplicationRule stalled on input only a person can fix is looked at again after this (a
    /// change of the rule, a Datacenter or a FederationPolicy wakes it at once).
    public var replicationStalledRecheck: Duration
    /// Backoff of a member informer's list and watch after errors (each member backs off on its own).
    public var memberWatchBackoff: Backoff
    /// How soon event propagation looks again at a member it has no connection to yet; a connected
    /// member is looked at six times less often (its Event informer restarts by itself over new credentials).
    public var memberEventsCheck: Duration = .seconds(5)
    /// The most replicas one replication pass creates in one target: a bulk copy (a new rule, a new
    /// target) is planned, written and held in memory a batch at a time, the next pass starting as
    /// soon as a batch is written.
    public var replicationCreatesPerPass = 1_000

    /// Creates a policy; the defaults are the production values.
    public init(
        missingCredentialsRef: Duration = .seconds(30), credentialsRetry: Duration = .seconds(10), credentialsRefresh: Duration = .seconds(30),
        finalizeRetry: Duration = .seconds(2), footprintInstallTimeout: Duration = .seconds(2), footprintRemoveTimeout: Duration = .seconds(5),
        policyResync: Duration = .seconds(60), markerRetry: Duration = .seconds(1), markerWriteTimeout: Duration = .seconds(2),
        memberWatchBackoff: Backoff = Backoff(initial: .milliseconds(500), cap: .seconds(5), jitter: 0.5),
        replicationRetry: Duration = .seconds(2), replicationWriteTimeout: Duration = .seconds(5),
        replicationStalledRecheck: Duration = .seconds(30), replicationLaneWait: Duration = .seconds(1)
    ) {
        self.replicationLaneWait = replicationLaneWait
        self.replicationStalledRecheck = replicationStalledRecheck
        self.replicationRetry = replicationRetry
        self.replicationWriteTimeout = replicationWriteTimeout
        self.missingCredentialsRef = missingCredentialsRef
        self.credentialsRetry = credentialsRetry
        self.credentialsRefresh = credentialsRefresh
        self.finalizeRetry = finalizeRetry
        self.footprintInstallTimeout = footprintInstallTimeout
        self.footprintRemoveTimeout = footprintRemoveTimeout
        self.policyResync = policyResync
        self.markerRetry = markerRetry
        self.markerWriteTimeout = markerWriteTimeout
        self.memberWatchBackoff = memberWatchBackoff
    }
}

extension Duration {
    /// The duration in seconds, for arithmetic with `Date`.
    var timeInterval: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
