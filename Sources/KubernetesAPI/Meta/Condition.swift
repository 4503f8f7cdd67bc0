import Foundation

/// `metav1.ConditionStatus`.
public enum ConditionStatus: String, Codable, Hashable, Sendable, CaseIterable {
    /// The condition holds.
    case `true` = "True"
    /// The condition does not hold.
    case `false` = "False"
    /// The controller cannot tell.
    case unknown = "Unknown"
}

/// `metav1.Condition`: one observation in a `status.conditions` list (listType=map, key `type`).
public struct Condition: Codable, Hashable, Sendable {
    /// CamelCase type, unique within the list.
    public var type: String
    /// True, False or Unknown.
    public var status: ConditionStatus
    /// The `metadata.generation` this condition was set from.
    public var observedGeneration: Int64?
    /// When `status` last changed.
    public var lastTransitionTime: KubeTime
    /// CamelCase machine-readable reason.
    public var reason: String
    /// Human-readable detail.
    public var message: String

    /// Creates a condition.
    public init(type: String, status: ConditionStatus, observedGeneration: Int64? = nil, lastTransitionTime: KubeTime, reason: String, message: String = "") {
        self.type = type
        self.status = status
        self.observedGeneration = observedGeneration
        self.lastTransitionTime = lastTransitionTime
        self.reason = reason
        self.message = message
    }
}

extension Array where Element == Condition {
    /// The condition of that type, if present.
    public func condition(_ type: String) -> Condition? { first { $0.type == type } }

    /// True when a condition of that type is present with status True.
    public func isTrue(_ type: String) -> Bool { condition(type)?.status == .true }

    /// `meta.SetStatusCondition`: appends a new type; for an existing type overwrites reason,
    /// message and observedGeneration, and moves `lastTransitionTime` only when `status` changes.
    /// Returns whether anything changed.
    @discardableResult
    public mutating func set(_ new: Condition) -> Bool {
        guard let i = firstIndex(where: { $0.type == new.type }) else {
            append(new)
            return true
        }
        var existing = self[i]
        var changed = false
        if existing.status != new.status {
            existing.status = new.status
            existing.lastTransitionTime = new.lastTransitionTime
            changed = true
        }
        if existing.reason != new.reason { existing.reason = new.reason; changed = true }
        if existing.message != new.message { existing.message = new.message; changed = true }
        if existing.observedGeneration != new.observedGeneration {
            existing.observedGeneration = new.observedGeneration
            changed = true
        }
        self[i] = existing
        return changed
    }

    /// Removes the condition of that type; returns whether it was present.
    @discardableResult
    public mutating func remove(_ type: String) -> Bool {
        let before = count
        removeAll { $0.type == type }
        return count != before
    }
}
