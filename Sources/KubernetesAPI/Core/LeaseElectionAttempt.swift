import Foundation

/// A Lease as read or written for an election: its spec and resourceVersion.
public struct LeaseRecord: Sendable, Equatable {
    /// Holder and timing.
    public var spec: LeaseSpec
    /// The resourceVersion an update compares against.
    public var resourceVersion: String

    /// Creates a record.
    public init(spec: LeaseSpec, resourceVersion: String) {
        self.spec = spec
        self.resourceVersion = resourceVersion
    }
}

/// Reads and writes the one Lease an election is about; each call gives up after `timeout`.
public protocol LeaseElectionLock: Sendable {
    /// The Lease, or nil when it does not exist.
    func get(timeout: Duration) async throws -> LeaseRecord?
    /// Creates the Lease; fails (409) when another process was first.
    func create(_ spec: LeaseSpec, timeout: Duration) async throws -> LeaseRecord
    /// Replaces the Lease's spec, compare-and-swap on `resourceVersion` (409 on a stale one).
    func update(_ spec: LeaseSpec, resourceVersion: String, timeout: Duration) async throws -> LeaseRecord
}

/// What one acquire-or-renew attempt came to.
public enum LeaseAttemptOutcome: Sendable {
    /// A write succeeded: this process holds the lease.
    case acquired
    /// Another process holds a valid lease.
    case heldByOther(holder: String)
    /// The planned write failed (a conflict: another process wrote first, or the store did not answer).
    case writeFailed(any Error)
}

extension LeaseElectionState {
    /// One client-go `tryAcquireOrRenew` through `lock`: the holder's fast path (renew its own last record
    /// without reading), else read, plan and write. Throws when the read fails.
    /// `now` reads the local monotonic time; `wallNow` stamps `acquireTime` and `renewTime`.
    public mutating func attempt(
        _ lock: some LeaseElectionLock, timeout: Duration, now: () -> Duration, wallNow: () -> Date
    ) async throws -> LeaseAttemptOutcome {
        if let plan = renewal(wallNow: wallNow()), case .acquired = await write(plan, lock, timeout: timeout, now: now) { return .acquired }
        let current = try await lock.get(timeout: timeout)
        let plan = self.plan(current: current?.spec, resourceVersion: current?.resourceVersion, now: now(), wallNow: wallNow())
        return await write(plan, lock, timeout: timeout, now: now)
    }

    private mutating func write(_ plan: Plan, _ lock: some LeaseElectionLock, timeout: Duration, now: () -> Duration) async -> LeaseAttemptOutcome {
        do {
            let written: LeaseRecord
            switch plan {
            case .create(let spec): written = try await lock.create(spec, timeout: timeout)
            case .update(let spec, let rv): written = try await lock.update(spec, resourceVersion: rv, timeout: timeout)
            case .heldByOther(let holder, _): return .heldByOther(holder: holder)
            }
            wrote(written.spec, resourceVersion: written.resourceVersion, now: now())
            return .acquired
        } catch {
            return .writeFailed(error)
        }
    }
}
