import ControllerRuntime
import FederationAPI
import Foundation
import Synchronization

/// The statuses a controller wrote, until the shared cache has caught up with them.
///
/// A pass that starts right after a status write may still read the older object from the cache;
/// planning from that older status would start the same move twice, or write back a status without
/// what the last pass found (a status patch carries no resourceVersion precondition). Each write is
/// remembered with the `resourceVersion` the pass read and the one the write made; while the cache
/// holds the version read, or a later one that is still older than the write (a spec edit made just
/// before it, which the cache shows without the written status), the next pass uses the written
/// status instead. (Versions are compared as numbers, as this control plane and etcd issue them;
/// a version that is not a number only matches exactly.)
final class WrittenStatuses<Status: Sendable>: Sendable {
    private let written = Mutex<[ObjectKey: (readVersion: String?, writtenVersion: String?, status: Status)]>([:])

    /// Remembers that `status` was written over the object read at `readVersion`, making `writtenVersion`.
    func record(_ key: ObjectKey, readVersion: String?, writtenVersion: String? = nil, status: Status) {
        written.withLock { $0[key] = (readVersion, writtenVersion, status) }
    }

    /// The status written over the object at `version`, while the cache has not caught up with it.
    func status(for key: ObjectKey, version: String?) -> Status? {
        written.withLock { written in
            guard let entry = written[key] else { return nil }
            if entry.readVersion == version { return entry.status }
            if let cached = version.flatMap({ Int64($0) }), let made = entry.writtenVersion.flatMap({ Int64($0) }), cached < made { return entry.status }
            written[key] = nil
            return nil
        }
    }

    /// Forgets `key` (the object is gone).
    func forget(_ key: ObjectKey) { _ = written.withLock { $0.removeValue(forKey: key) } }
}

/// The moves whose start or completion this process has counted, so a pass that sees the same
/// transition again (an older cache) never counts it twice.
final class CountedMoves: Sendable {
    private let counted = Mutex<Set<String>>([])

    /// True the first time `move` of `key` is seen in this state (started or completed).
    func first(_ key: ObjectKey, _ move: FailoverTransition) -> Bool {
        let id = "\(key) \(move.startedAt) \(move.from ?? "") \(move.to) \(move.completedAt == nil ? "started" : "completed")"
        return counted.withLock { $0.insert(id).inserted }
    }
}
