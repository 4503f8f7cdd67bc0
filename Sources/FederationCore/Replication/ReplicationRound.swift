import FederationAPI
import Foundation

/// What one replication pass did: the plan, and how its execution went per target.
public struct ReplicationRound: Hashable, Sendable {
    /// The plan that ran.
    public var plan: ReplicationPlan
    /// The highest resourceVersion among the selected source objects.
    public var sourceRevision: String?
    /// Targets whose objects could not be read (no connection, cache not synced): not planned.
    public var unreachable: [String]
    /// Targets where a write failed, with the first failure; the writes after it did not run.
    public var failures: [String: String]
    /// Targets among `failures` whose member refused the write as invalid or forbidden (400, 403,
    /// 422): retrying the same write cannot succeed, so only a person can unblock them.
    public var rejected: Set<String> = []
    /// Per target, the largest lag (source write → acknowledged replica write) of this pass's writes.
    public var lags: [String: Double]
    /// Targets whose writes were still running when the pass stopped waiting for them (a slow or
    /// frozen member): reported Syncing, and planned again once those writes end.
    public var inFlight: Set<String> = []
    /// Targets where a replica changed in the member since the pass read it, so its write was not
    /// applied: reported Syncing, and planned again soon (on the member's change event, or after the retry delay).
    public var changedSinceRead: Set<String> = []
    /// Targets whose API discovery says they serve none of some kinds the rule replicates (a
    /// CustomResourceDefinition installed only at the source), with those kinds as
    /// `group/version Kind (resource)`: not planned, reported Blocked until the kinds are installed.
    public var unserved: [String: [String]] = [:]
    /// Per target, the objects whose write failed, or did not run after a failure or over a replica
    /// changed since the read, with why: a conflict whose restore or adoption that was is listed as
    /// failed, not as done.
    public var unwritten: [String: [ReplicaKey: String]] = [:]

    /// The plan's conflicts, each with why the write applying its outcome failed (``unwritten``), if
    /// it did, or marked still running when its target's writes were (``inFlight``).
    public var conflicts: [ConflictFinding] {
        plan.targets.flatMap { target in
            let written = inFlight.contains(target.datacenter) ? Set(target.writes.compactMap(\.key)) : []
            return target.conflicts.map { finding in
                guard finding.outcome != .awaitingPerson else { return finding }
                var result = finding
                if let failure = unwritten[target.datacenter]?[finding.key] {
                    result.writeFailure = failure
                } else if written.contains(finding.key) {
                    result.writePending = true
                }
                return result
            }
        }
    }

    /// Creates a round.
    public init(plan: ReplicationPlan, sourceRevision: String?, unreachable: [String] = [], failures: [String: String] = [:], lags: [String: Double] = [:]) {
        self.plan = plan
        self.sourceRevision = sourceRevision
        self.unreachable = unreachable
        self.failures = failures
        self.lags = lags
    }

    /// The highest of resourceVersions compared as numbers (as the embedded control plane and etcd
    /// issue them), or nil when there are none.
    public static func highestRevision(_ revisions: [String]) -> String? {
        revisions.max { a, b in
            if let x = UInt64(a), let y = UInt64(b) { return x < y }
            return (a.count, a) < (b.count, b)
        }
    }
}

/// Why a rule cannot be planned at all: bad input or an unreadable source.
public struct ReplicationBlocker: Error, Hashable, Sendable {
    /// The condition reason.
    public var reason: String
    /// What is wrong and how to fix it.
    public var message: String
    /// True for input only a person can fix (Stalled=True); false for a wait (Ready=False only).
    public var terminal: Bool

    /// Creates a blocker.
    public init(reason: String, message: String, terminal: Bool) {
        self.reason = reason
        self.message = message
        self.terminal = terminal
    }
}
