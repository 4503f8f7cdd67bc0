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
        let eligible = candidates.filter { $0.weight > 0 && limit($0, maxReplicasPerDatacenter) > 0 }.sorted { $0.name < $1.name }
        var assigned: [String: Int] = [:]
        var remaining = max(0, total)
        var open = eligible
        while remaining > 0, !open.isEmpty {
            let shares = largestRemainder(remaining, over: open)
            let full = open.filter { shares[$0.name, default: 0] >= limit($0, maxReplicasPerDatacenter) - assigned[$0.name, default: 0] }
            if full.isEmpty {
                for c in open { assigned[c.name, default: 0] += shares[c.name, default: 0] }
                remaining = 0
            } else {
                // Water-filling: fill the saturated ones, then share the rest among the others.
                for c in full {
                    let room = limit(c, maxReplicasPerDatacenter) - assigned[c.name, default: 0]
                    assigned[c.name, default: 0] += room
                    remaining -= room
                }
                let names = Set(full.map(\.name))
                open.removeAll { names.contains($0.name) }
            }
        }
        var spreadShort = false
        let wanted = min(max(1, minDatacenters), max(0, total))
        while assigned.values.filter({ $0 > 0 }).count < wanted {
            let donor = assigned.filter { $0.value >= 2 }.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.first
            let taker = eligible.filter { assigned[$0.name, default: 0] == 0 }.sorted { ($0.weight, $1.name) > ($1.weight, $0.name) }.first
            guard let donor, let taker else {
                spreadShort = true
                break
            }
            assigned[donor.key, default: 0] -= 1
            assigned[taker.name, default: 0] += 1
        }
        return ReplicaDivision(replicas: assigned.filter { $0.value > 0 }, unplaced: remaining, spreadShort: spreadShort)
    }

    private static func limit(_ c: DivisionCandidate, _ maxPer: Int?) -> Int {
        max(0, min(c.room ?? Int.max, maxPer ?? Int.max))
    }

    /// Hamilton's method: floors of the exact quotas, then one more each to the largest remainders.
    private static func largestRemainder(_ total: Int, over candidates: [DivisionCandidate]) -> [String: Int] {
        let weights = candidates.reduce(0) { $0 + $1.weight }
        guard weights > 0 else { return [:] }
        var shares: [String: Int] = [:]
        var remainders: [(candidate: DivisionCandidate, remainder: Int, holdsExtra: Bool)] = []
        var given = 0
        for c in candidates {
            let (q, r) = (total * c.weight).quotientAndRemainder(dividingBy: weights)
            shares[c.name] = q
            given += q
            remainders.append((c, r, c.current > q))
        }
        // Equal remainders: the datacenter already running more than its floor keeps the extra
        // replica, so the same inputs give the same division on the next pass.
        let order = remainders.sorted { a, b in
            if a.remainder != b.remainder { return a.remainder > b.remainder }
            if a.holdsExtra != b.holdsExtra { return a.holdsExtra }
            return a.candidate.name < b.candidate.name
        }
        for entry in order.prefix(total - given) { shares[entry.candidate.name, default: 0] += 1 }
        return shares
    }
}
