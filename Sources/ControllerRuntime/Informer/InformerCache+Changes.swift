import DequeModule
import KubernetesAPI
import Synchronization

/// A position in one ``InformerCache``'s log of changes: what ``InformerCache/changes(since:)`` counts from.
public struct CacheCursor: Hashable, Sendable {
    /// Which cache (unique per cache made in this process).
    public let cache: UInt64
    /// How many changes that cache had logged.
    public let position: UInt64
}

/// The keys of the latest changes to a cache, oldest first (bounded: a reader that falls further
/// behind reads the whole cache instead).
struct CacheChangeLog {
    /// How many keys are kept.
    static let capacity = 8_192
    /// Ids of caches, one per cache made.
    static let ids = Atomic<UInt64>(0)

    private(set) var keys = Deque<ObjectKey>()
    /// The position of `keys.first`.
    private(set) var first: UInt64 = 0
    /// The position after the last key.
    var end: UInt64 { first + UInt64(keys.count) }

    /// Logs a change of `key`.
    mutating func record(_ key: ObjectKey) {
        keys.append(key)
        if keys.count > Self.capacity {
            keys.removeFirst()
            first += 1
        }
    }

    /// The keys changed from `position` on, or nil when the log no longer reaches back there.
    func since(_ position: UInt64) -> Set<ObjectKey>? {
        guard position >= first, position <= end else { return nil }
        return Set(keys[Int(position - first)...])
    }
}

extension InformerCache {
    /// How many changes a cache keeps the keys of (``changes(since:)``).
    public static var changesKept: Int { CacheChangeLog.capacity }

    /// The position after the latest change. The cache keeps its change log from the first time a
    /// reader asks for this on (caches nobody reads by their changes keep none).
    public var cursor: CacheCursor { CacheCursor(cache: id, position: changeLogEnd) }

    /// The keys of the objects added, changed or removed since `cursor`, and the cursor now. The keys
    /// are nil when that cannot be told: the cursor is another cache's, or more changes happened since
    /// than the cache keeps (``changesKept``); the reader then reads the whole cache. A relist counts every
    /// object listed as changed.
    public func changes(since cursor: CacheCursor) -> (keys: Set<ObjectKey>?, cursor: CacheCursor) {
        let (keys, end) = changeLog { log in (cursor.cache == id ? log?.since(cursor.position) : nil, log?.end) }
        guard let end else { return (nil, self.cursor) }
        return (keys, CacheCursor(cache: id, position: end))
    }
}
