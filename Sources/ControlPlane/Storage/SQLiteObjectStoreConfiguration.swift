import Foundation

/// Tuning and test hooks for ``SQLiteObjectStore``. The defaults suit a production control plane.
public struct SQLiteObjectStoreConfiguration: Sendable {
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
        fileName: String = "concord.sqlite",
        historyMinimumEvents: Int64 = 10_000,
        historyMinimumAge: Duration = .seconds(300),
        compactionInterval: Int64 = 1_000,
        watchBufferCapacity: Int = 4_096,
        replayPageSize: Int = 512,
        maximumBatchSize: Int = 512,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
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
