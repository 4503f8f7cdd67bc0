import Foundation

/// The pure core of one acquire-or-renew attempt (client-go's `tryAcquireOrRenew`), without I/O.
///
/// Expiry uses *observed time*: when the Lease read from the server differs from the last one
/// seen, the local monotonic time is noted; another holder's lease counts as valid until
/// `observedAt + leaseDurationSeconds`. The holder's `renewTime` is never compared with the
/// local clock, so skew between machines does not matter.
public struct LeaseElectionState: Sendable, Equatable {
    /// What to write next.
    public enum Plan: Sendable, Equatable {
        /// No Lease exists: create it.
        case create(LeaseSpec)
        /// Replace the Lease, compare-and-swap on `resourceVersion`.
        case update(LeaseSpec, resourceVersion: String)
        /// Someone else holds a valid lease for `remaining` more (as observed locally).
        case heldByOther(holder: String, remaining: Duration)
    }

    /// This process's identity.
    public let identity: String
    /// The duration written into the Lease, in whole seconds.
    public let leaseDurationSeconds: Int
    /// The Lease last seen (or written).
    public private(set) var observed: LeaseSpec?
    /// Its resourceVersion.
    public private(set) var observedResourceVersion: String?
    /// Local monotonic time at which `observed` was first seen in its current form.
    public private(set) var observedAt: Duration?

    /// Creates the state of a process that has seen nothing yet.
    public init(identity: String, leaseDuration: Duration) {
        self.identity = identity
        self.leaseDurationSeconds = max(1, Int(leaseDuration.components.seconds))
    }

    /// True when the last observed record names this process as holder.
    public var isLeader: Bool { observed?.holderIdentity == identity }

    /// The leader's fast path: renew its own last record without reading it first.
    public func renewal(wallNow: Date) -> Plan? {
        guard isLeader, let observed, let rv = observedResourceVersion else { return nil }
        var next = observed
        next.renewTime = MicroTime(wallNow)
        next.leaseDurationSeconds = leaseDurationSeconds
        return .update(next, resourceVersion: rv)
    }

    /// Plans the write after reading the Lease (`current` nil: it does not exist).
    /// `now` is the local monotonic time; `wallNow` stamps `acquireTime` and `renewTime`.
    public mutating func plan(current: LeaseSpec?, resourceVersion: String?, now: Duration, wallNow: Date) -> Plan {
        let stamp = MicroTime(wallNow)
        guard let current else {
            return .create(LeaseSpec(
                holderIdentity: identity, leaseDurationSeconds: leaseDurationSeconds,
                acquireTime: stamp, renewTime: stamp, leaseTransitions: 0))
        }
        if observed != current || observedAt == nil {
            observed = current
            observedAt = now
        }
        observedResourceVersion = resourceVersion
        let holder = current.holderIdentity ?? ""
        if !holder.isEmpty && holder != identity, let seen = observedAt {
            let expires = seen + .seconds(current.leaseDurationSeconds ?? 0)
            if expires > now { return .heldByOther(holder: holder, remaining: expires - now) }
        }
        var next = LeaseSpec(
            holderIdentity: identity, leaseDurationSeconds: leaseDurationSeconds,
            acquireTime: stamp, renewTime: stamp, leaseTransitions: current.leaseTransitions ?? 0)
        if holder == identity {
            next.acquireTime = current.acquireTime ?? stamp
        } else {
            next.leaseTransitions = (current.leaseTransitions ?? 0) + 1
        }
        return .update(next, resourceVersion: resourceVersion ?? "")
    }

    /// A write succeeded: the written record is what this process now observes.
    public mutating func wrote(_ spec: LeaseSpec, resourceVersion: String?, now: Duration) {
        observed = spec
        observedResourceVersion = resourceVersion
        observedAt = now
    }

    /// The record that hands the lease back (ReleaseOnCancel): no holder, a 1 s duration,
    /// transitions unchanged. Nil unless this process holds it.
    public func release(wallNow: Date) -> Plan? {
        guard isLeader, let observed, let rv = observedResourceVersion else { return nil }
        let stamp = MicroTime(wallNow)
        return .update(LeaseSpec(
            holderIdentity: "", leaseDurationSeconds: 1, acquireTime: stamp, renewTime: stamp,
            leaseTransitions: observed.leaseTransitions ?? 0), resourceVersion: rv)
    }
}
