import Foundation

/// A status with the two fields kstatus reads: `observedGeneration` and `conditions`. Lets
/// condition and status-writing code work on any kind that publishes them.
public protocol ConditionedStatus: Codable, Hashable, Sendable {
    /// The `metadata.generation` the status was computed from.
    var observedGeneration: Int64? { get set }
    /// The conditions, keyed by type.
    var conditions: [Condition] { get set }
}
