import FederationAPI
import Foundation

/// What one replication schedule did.
public struct ReplicationScheduleResult: Hashable, Sendable {
    /// The seed that produced it.
    public var seed: UInt64
    /// HubAndSpoke (SourceWins) or Mesh (LastWriterWins).
    public var topology: FederationTopology
    /// Steps run (fewer than configured when a violation stopped it).
    public var steps: Int
    /// What happened, counted.
    public var counts: ReplicationCounts
    /// The first broken invariant, if any.
    public var violation: ReplicationViolation?
    /// What happened, bounded to the newest ``SimulationTrace/limit`` lines.
    public var trace: SimulationTrace
}

/// Replication totals of one schedule or many.
public struct ReplicationCounts: Hashable, Sendable {
    /// Schedules, by topology.
    public var schedules: [FederationTopology: Int] = [:]
    /// Invariant checks run.
    public var checks = 0
    /// Faults injected, by kind.
    public var faults: [FaultKind: Int] = [:]
    /// Writes people made at the members and had acknowledged: creates and changes, deletions.
    public var writes = 0, deletes = 0
    /// Replica writes the planners asked for (creates, updates, adoptions, deletions, evictions),
    /// and those the simulated network failed.
    public var replicaWrites = 0, failedWrites = 0
    /// Conflicts the planners reported.
    public var conflicts = 0
    /// Object copies residency kept out of a member (per pass).
    public var residencyBlocks = 0
    /// The longest time from the heal until every member held its final copies, in steps.
    public var maxSettledAfter: Int?
    /// The schedules that broke an invariant, lowest seed first.
    public var violations: [ReplicationScheduleResult] = []

    /// Empty totals.
    public init() {}

    /// Adds one schedule.
    public mutating func add(_ result: ReplicationScheduleResult) {
        merge(result.counts)
        if result.violation != nil {
            violations.append(result)
            violations.sort { $0.seed < $1.seed }
        }
    }

    /// Adds other totals.
    public mutating func merge(_ other: ReplicationCounts) {
        schedules.merge(other.schedules, uniquingKeysWith: +)
        checks += other.checks
        faults.merge(other.faults, uniquingKeysWith: +)
        writes += other.writes
        deletes += other.deletes
        replicaWrites += other.replicaWrites
        failedWrites += other.failedWrites
        conflicts += other.conflicts
        residencyBlocks += other.residencyBlocks
        if let settled = other.maxSettledAfter { maxSettledAfter = max(maxSettledAfter ?? 0, settled) }
        violations = (violations + other.violations).sorted { $0.seed < $1.seed }
    }

    /// Schedules in all.
    public var totalSchedules: Int { schedules.values.reduce(0, +) }
}
