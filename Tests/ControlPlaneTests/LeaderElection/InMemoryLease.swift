import Foundation
import KubernetesAPI
import Logging
import ServiceLifecycle
import Synchronization

@testable import ControlPlane

/// One Lease shared by several electors, with compare-and-swap on its resourceVersion, as a store keeps it.
final class InMemoryLease: Sendable {
    private let state = Mutex<(record: LeaseRecord?, revision: Int)>((nil, 0))

    /// The Lease as stored.
    var record: LeaseRecord? { state.withLock { $0.record } }

    /// The lock one server sees; `cut` makes every request of that server fail (a server cut off from the store).
    func lock(cut: OnceFlag = OnceFlag()) -> InMemoryLeaseLock { InMemoryLeaseLock(lease: self, cut: cut) }

    func write(_ spec: LeaseSpec, expecting resourceVersion: String?) throws -> LeaseRecord {
        try state.withLock { s in
            if let resourceVersion {
                guard s.record?.resourceVersion == resourceVersion else { throw APIError(code: 409, reason: "Conflict", message: "stale") }
            } else if s.record != nil {
                throw APIError(code: 409, reason: "AlreadyExists", message: "exists")
            }
            s.revision += 1
            s.record = LeaseRecord(spec: spec, resourceVersion: String(s.revision))
            return s.record!
        }
    }
}

/// A server's view of an `InMemoryLease`.
struct InMemoryLeaseLock: LeaseElectionLock {
    let lease: InMemoryLease
    let cut: OnceFlag

    struct Unreachable: Error {}

    private func reach() throws { if cut.isRaised { throw Unreachable() } }

    func get(timeout: Duration) async throws -> LeaseRecord? {
        try reach()
        return lease.record
    }
    func create(_ spec: LeaseSpec, timeout: Duration) async throws -> LeaseRecord {
        try reach()
        return try lease.write(spec, expecting: nil)
    }
    func update(_ spec: LeaseSpec, resourceVersion: String, timeout: Duration) async throws -> LeaseRecord {
        try reach()
        return try lease.write(spec, expecting: resourceVersion)
    }
}

/// Counts how many controllers run at once, over every server of a test.
final class RunningControllers: Sendable {
    private let state = Mutex<(running: Set<String>, most: Int, starts: [String])>(([], 0, []))

    /// The servers whose controller runs now.
    var running: Set<String> { state.withLock { $0.running } }
    /// The most controllers that ever ran at the same time.
    var most: Int { state.withLock { $0.most } }
    /// Which server's controller started, in order.
    var starts: [String] { state.withLock { $0.starts } }

    func started(_ name: String) {
        state.withLock { s in
            s.running.insert(name)
            s.starts.append(name)
            s.most = max(s.most, s.running.count)
        }
    }
    func stopped(_ name: String) { _ = state.withLock { $0.running.remove(name) } }
}

/// A controller that runs until graceful shutdown or cancellation, recording that it runs.
struct RecordingController: Service {
    let name: String
    let controllers: RunningControllers

    func run() async throws {
        controllers.started(name)
        defer { controllers.stopped(name) }
        do { try await gracefulShutdown() } catch is CancellationError {}
    }
}
