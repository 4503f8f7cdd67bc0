import DequeModule
import Foundation
import GRDB
import KubernetesAPI
import Logging
import Synchronization

/// The single writer, with group commit.
///
/// Callers queue operations; whoever finds the writer idle schedules a drain on GRDB's serial writer
/// queue. The drain takes everything queued (up to the batch limit), applies it in one `IMMEDIATE`
/// transaction — each successful operation taking the next revision — commits (one fsync with
/// `synchronous=FULL`), publishes the events to the hub in revision order, and only then resumes the
/// callers. While one batch commits, new operations queue up and form the next batch, so concurrent
/// writers share fsyncs while a lone writer pays exactly one.
final class StorageWriter: Sendable {
    /// A queued operation and its caller.
    ///
    /// `@unchecked Sendable`: `operation` is read and cleared only by the drain, which runs on GRDB's
    /// serial writer queue; the caller hands it over once, under the state lock, and never touches it again.
    private final class Pending: @unchecked Sendable {
        /// Cleared as soon as it has been applied, so an `update` transform is released before its caller
        /// resumes (the store lends it with `withoutActuallyEscaping`).
        var operation: WriteOperation?
        let continuation: CheckedContinuation<StoredObject, any Error>

        init(operation: WriteOperation, continuation: CheckedContinuation<StoredObject, any Error>) {
            self.operation = operation
            self.continuation = continuation
        }
    }

    private struct State {
        var queue: Deque<Pending> = []
        var draining = false
        var closed = false
        var lastCompactionCheck: Int64
    }

    private let database: DatabasePool
    private let hub: WatchHub
    private let configuration: SQLiteObjectStoreConfiguration
    private let logger: Logger
    private let state: Mutex<State>

    init(database: DatabasePool, hub: WatchHub, configuration: SQLiteObjectStoreConfiguration, logger: Logger, revision: Int64) {
        self.database = database
        self.hub = hub
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(State(lastCompactionCheck: revision))
    }

    /// Queues `operation` and returns its result once its batch has committed.
    func submit(_ operation: WriteOperation) async throws -> StoredObject {
        try await withCheckedThrowingContinuation { continuation in
            enum Admission { case rejected, queued, startDrain }
            let admission = state.withLock { state -> Admission in
                if state.closed { return .rejected }
                state.queue.append(Pending(operation: operation, continuation: continuation))
                if state.draining { return .queued }
                state.draining = true
                return .startDrain
            }
            switch admission {
            case .rejected:
                continuation.resume(throwing: StorageError(.internalError, message: "the object store is closed"))
            case .queued:
                break
            case .startDrain:
                database.asyncWriteWithoutTransaction { db in self.drain(db) }
            }
        }
    }

    /// Refuses new operations; those already queued still commit.
    func close() {
        state.withLock { $0.closed = true }
    }

    private func drain(_ db: Database) {
        let limit = max(configuration.maximumBatchSize, 1)
        while true {
            let batch = state.withLock { state -> [Pending] in
                let count = min(limit, state.queue.count)
                if count == 0 { state.draining = false }
                let batch = Array(state.queue.prefix(count))
                state.queue.removeFirst(count)
                return batch
            }
            if batch.isEmpty { return }
            commit(batch, db)
        }
    }

    private func commit(_ batch: [Pending], _ db: Database) {
        let now = Self.milliseconds(configuration.now())
        var outcomes: [WriteOutcome] = []
        var events: [StorageEvent] = []
        var compacted: Int64?
        outcomes.reserveCapacity(batch.count)
        do {
            try db.inTransaction(.immediate) {
                var revision = try StorageRecords.meta(db).revision
                for pending in batch {
                    guard let operation = pending.operation.take() else {
                        throw StorageError(.internalError, message: "a queued write was applied twice")
                    }
                    let outcome = try operation.apply(db, revision: revision + 1, nowMilliseconds: now)
                    if case .written(_, let event) = outcome {
                        revision += 1
                        events.append(event)
                    }
                    outcomes.append(outcome)
                }
                guard !events.isEmpty else { return .commit }
                try StorageRecords.setRevision(db, revision)
                // Compaction rides along in the same transaction: no extra commit, and it is done
                // (deterministically) before the writers are acknowledged.
                if isCompactionDue(at: revision) { compacted = try compactOnce(db) }
                return .commit
            }
        } catch {
            for pending in batch { pending.operation = nil }
            logger.error("storage write batch failed", metadata: ["error": "\(error)", "operations": "\(batch.count)"])
            let failure = error as? StorageError ?? StorageError(.internalError, message: "database write failed: \(error)")
            for pending in batch { pending.continuation.resume(throwing: failure) }
            return
        }
        if let compacted { hub.setCompacted(compacted) }
        hub.publish(events)
        for (pending, outcome) in zip(batch, outcomes) {
            switch outcome {
            case .written(let stored, _), .unchanged(let stored): pending.continuation.resume(returning: stored)
            case .failed(let error): pending.continuation.resume(throwing: error)
            }
        }
    }

    /// True every `compactionInterval` revisions.
    private func isCompactionDue(at revision: Int64) -> Bool {
        let interval = max(configuration.compactionInterval, 1)
        return state.withLock { state in
            guard revision - state.lastCompactionCheck >= interval else { return false }
            state.lastCompactionCheck = revision
            return true
        }
    }

    /// Deletes all history beyond the retention limits now, one bounded pass (transaction) after another.
    func compact(_ db: Database) throws {
        while true {
            var compacted: Int64?
            try db.inTransaction(.immediate) {
                compacted = try compactOnce(db)
                return .commit
            }
            guard let compacted else { return }
            hub.setCompacted(compacted)
        }
    }

    /// One bounded compaction pass inside the caller's transaction; the new compacted revision, or nil.
    private func compactOnce(_ db: Database) throws -> Int64? {
        let cutoff = configuration.now().addingTimeInterval(-Self.seconds(configuration.historyMinimumAge))
        return try StorageHistory.compact(
            db, minimumEvents: configuration.historyMinimumEvents, cutoffMilliseconds: Self.milliseconds(cutoff))
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
