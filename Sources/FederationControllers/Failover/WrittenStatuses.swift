import ControllerRuntime
import FederationAPI
import Foundation
import Synchronization

/// The statuses this controller wrote, until the shared cache has caught up with them.
///
/// A pass that starts right after a status write may still read the older object from the cache;
/// planning from that older status would start the same move twice (counting it twice, and moving
/// its start time). Each write is remembered with the `resourceVersion` the pass read; while the
/// cache still holds exactly that version, the next pass uses the written status instead.
final class WrittenStatuses: Sendable {
    private let written = Mutex<[ObjectKey: (readVersion: String?, status: ServiceFailoverStatus)]>([:])

    /// Remembers that `status` was written over the object read at `readVersion`.
    func record(_ key: ObjectKey, readVersion: String?, status: ServiceFailoverStatus) {
        written.withLock { $0[key] = (readVersion, status) }
    }

    /// `sf` with the status this controller wrote over it, when the cache has not seen that write yet.
    func current(_ sf: ServiceFailover, key: ObjectKey) -> ServiceFailover {
        written.withLock { written in
            guard let entry = written[key] else { return sf }
            guard entry.readVersion == sf.metadata.resourceVersion else {
                written[key] = nil
                return sf
            }
            var current = sf
            current.status = entry.status
            return current
        }
    }

    /// Forgets `key` (the object is gone).
    func forget(_ key: ObjectKey) { _ = written.withLock { $0.removeValue(forKey: key) } }
}
