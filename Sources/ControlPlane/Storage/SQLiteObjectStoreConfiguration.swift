import Foundation

/// Tuning and test hooks for ``SQLiteObjectStore``. The defaults suit a production control plane.
public struct SQLiteObjectStoreConfiguration: Sendable {
    /// What an acknowledged write survives.
    public enum Durability: Sendable, Hashable {
        /// `synchronous=FULL`: the WAL is fsynced at every commit; acknowledged writes survive a
        /// process kill and power loss. The default.
        case powerLoss
        /// `synchronous=NORMAL`: no fsync per commit; acknowledged writes survive a process kill
        /// (`kill -9`) but the newest ones may be lost on power loss or a kernel crash.
        case processCrash
    }

    /// What an acknowledged write survives.
    public var durability: Durability
    /// The database file's name inside the store's directory.
    public var fileName: String
    /// History retention: at least this many of the newest events are kept for watch resumption.
    public var historyMinimumEvents: Int64
    /// History retention: events younger than this are never compacted, whatever their number.
    public var historyMinimumAge: Duration
    /// Compaction is considered after every this many revisions.
    public var compactionInterval: Int64
    /// Events a watcher may have buffered (not yet consumed) before it is terminated with `.expired`.
    public var watchBufferCapacity: Int
    /// History events read from the database per replay page.
    public var replayPageSize: Int
    /// The most writes committed together in one transaction (group commit).
    public var maximumBatchSize: Int
    /// The wall clock, used to time-stamp history events for age-based retention.
    public var now: @Sendable () -> Date

    /// Creates a configuration; every parameter has a production default.
    public init(
        durability: Durability = .powerLoss,
        fileName: String = "concord.sqlite",
        historyMinimumEvents: Int64 = 10_000,
        historyMinimumAge: Duration = .seconds(300),
        compactionInterval: Int64 = 1_000,
        watchBufferCapacity: Int = 4_096,
        replayPageSize: Int = 512,
        maximumBatchSize: Int = 512,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.durability = durability
        self.fileName = fileName
        self.historyMinimumEvents = historyMinimumEvents
        self.historyMinimumAge = historyMinimumAge
        self.compactionInterval = compactionInterval
        self.watchBufferCapacity = watchBufferCapacity
        self.replayPageSize = replayPageSize
        self.maximumBatchSize = maximumBatchSize
        self.now = now
    }
}
