/// Totals over many schedules.
public struct SimulationSummary: Hashable, Sendable {
    /// Schedules run.
    public var schedules = 0
    /// Steps run.
    public var steps = 0
    /// Invariant checks run.
    public var checks = 0
    /// Faults injected, by kind.
    public var faults: [FaultKind: Int] = [:]
    /// Actions of a person, by kind.
    public var operations: [OperationKind: Int] = [:]
    /// Epoch raises.
    public var promotions = 0
    /// Hub passes by decision and reason.
    public var decisions: [String: Int] = [:]
    /// The longest time (steps = seconds) from a heal until exactly one primary acted.
    public var maxSettledAfter: Int?
    /// The longest run of steps without an acting primary in any schedule.
    public var longestWithoutPrimary = 0
    /// What the ServiceFailovers did.
    public var services = ServiceCounts()
    /// The schedules that broke an invariant, lowest seed first.
    public var violations: [ScheduleResult] = []

    /// An empty summary.
    public init() {}

    /// Adds one schedule's result.
    public mutating func add(_ result: ScheduleResult) {
        schedules += 1
        steps += result.steps
        checks += result.checks
        faults.merge(result.faults, uniquingKeysWith: +)
        operations.merge(result.operations, uniquingKeysWith: +)
        promotions += result.promotions
        decisions.merge(result.decisions, uniquingKeysWith: +)
        if let settled = result.settledAfter { maxSettledAfter = max(maxSettledAfter ?? 0, settled) }
        longestWithoutPrimary = max(longestWithoutPrimary, result.longestWithoutPrimary)
        services.merge(result.services)
        if result.violation != nil {
            violations.append(result)
            violations.sort { $0.seed < $1.seed }
        }
    }

    /// Adds another summary.
    public mutating func merge(_ other: SimulationSummary) {
        schedules += other.schedules
        steps += other.steps
        checks += other.checks
        faults.merge(other.faults, uniquingKeysWith: +)
        operations.merge(other.operations, uniquingKeysWith: +)
        promotions += other.promotions
        decisions.merge(other.decisions, uniquingKeysWith: +)
        if let settled = other.maxSettledAfter { maxSettledAfter = max(maxSettledAfter ?? 0, settled) }
        longestWithoutPrimary = max(longestWithoutPrimary, other.longestWithoutPrimary)
        services.merge(other.services)
        violations = (violations + other.violations).sorted { $0.seed < $1.seed }
    }

    /// Faults injected in all.
    public var totalFaults: Int { faults.values.reduce(0, +) }
}
