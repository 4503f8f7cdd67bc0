import FederationAPI
import Foundation

/// What changed in a planning pass's inputs since the previous pass that planned with the same
/// ``ReplicaSyncMemo``: the keys whose selected source object was added, changed or removed, and,
/// per target, the keys whose object in that target's view was.
///
/// A pass given these re-reads only those keys, so its cost follows the changes, not the number of
/// objects. A target missing from ``targets`` is read whole. The lists must be complete (a key left
/// out keeps its verdict from the previous pass); listing a key that did not change costs a lookup.
public struct ReplicationChanges: Hashable, Sendable {
    /// Keys whose selected source object was added, changed or removed.
    public var sources: Set<ReplicaKey>
    /// Per target datacenter, keys whose object in its view was added, changed or removed.
    public var targets: [String: Set<ReplicaKey>]

    /// Creates a change list.
    public init(sources: Set<ReplicaKey> = [], targets: [String: Set<ReplicaKey>] = [:]) {
        self.sources = sources
        self.targets = targets
    }
}
