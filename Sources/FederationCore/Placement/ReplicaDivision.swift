import Foundation

/// One datacenter that may run a share of an active-active service.
public struct DivisionCandidate: Hashable, Sendable {
    /// The Datacenter's name.
    public var name: String
    /// Its weight (`spec.placement.weights`, default 1); 0 takes no share.
    public var weight: Int
    /// Replicas it can still take for this service: its `capacity.replicas` minus what every other
    /// federated workload placed there; nil when its capacity is unbounded.
    public var room: Int?
    /// The replicas this service runs there now (ties go to the current placement, so small input
    /// changes move few replicas).
    public var current: Int

    /// Creates a candidate.
    public init(name: String, weight: Int = 1, room: Int? = nil, current: Int = 0) {
        self.name = name
        self.weight = weight
        self.room = room
        self.current = current
    }
}

/// The replicas per datacenter of an active-active service, and what could not be placed.
public struct ReplicaDivision: Hashable, Sendable {
    /// Replicas per datacenter; datacenters with none are absent.
    public var replicas: [String: Int]
    /// Replicas no candidate had room for: never overcommitted, reported instead.
    public var unplaced: Int
    /// True when fewer datacenters than `minDatacenters` run the service although the total
    /// would allow it (not enough candidates with room).
    public var spreadShort: Bool

    /// Creates a division.
    public init(replicas: [String: Int], unplaced: Int = 0, spreadShort: Bool = false) {
        self.replicas = replicas
        self.unplaced = unplaced
        self.spreadShort = spreadShort
    }

    /// Divides `total` replicas over `candidates`.
    ///
    /// Shares follow the weights by the largest-remainder method (ties: the datacenter already
    /// running more than its floor share, then name). A datacenter never gets more than its room or
    /// `maxReplicasPerDatacenter`; what it cannot hold goes to the others by weight, and what
    /// nobody can hold is `unplaced`. When fewer than `minDatacenters` got replicas and the total
    /// allows, replicas move one at a time from the largest share to the next candidates with room
    /// (by weight, then name). Deterministic: the order of `candidates` does not matter.
    public static func divide(
        total: Int, over candidates: [DivisionCandidate], maxReplicasPerDatacenter: Int? = nil, minDatacenters: Int = 1
    ) -> ReplicaDivision {
        let result = shares(total: total, over: candidates, maxReplicasPerDatacenter: maxReplicasPerDatacenter, minDatacenters: minDatacenters)
        var replicas: [String: Int] = [:]
        replicas.reserveCapacity(result.placedCount)
        for (i, count) in result.replicas.enumerated() where count > 0 { replicas[candidates[i].name, default: 0] += count }
        return ReplicaDivision(replicas: replicas, unplaced: result.unplaced, spreadShort: result.spreadShort)
    }

    /// ``divide(total:over:maxReplicasPerDatacenter:minDatacenters:)`` as replicas per candidate, in
    /// the order of `candidates` (0 for those that get none): what the planner reads without hashing
    /// names. `inNameOrder`: the caller guarantees the names strictly ascend (they are not sorted again).
    static func shares(
        total: Int, over candidates: [DivisionCandidate], maxReplicasPerDatacenter: Int?, minDatacenters: Int, inNameOrder: Bool = false
    ) -> (replicas: [Int], placedCount: Int, unplaced: Int, spreadShort: Bool) {
        var run = DivisionRun(candidates, maxReplicasPerDatacenter: maxReplicasPerDatacenter, inNameOrder: inNameOrder)
        let unplaced = run.fill(max(0, total))
        let spreadShort = run.spread(over: min(max(1, minDatacenters), max(0, total)))
        var replicas = [Int](repeating: 0, count: candidates.count)
        var placedCount = 0
        for slot in run.slots where slot.assigned > 0 {
            replicas[slot.index] = slot.assigned
            placedCount += 1
        }
        return (replicas, placedCount, unplaced, spreadShort)
    }
}
