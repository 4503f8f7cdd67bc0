/// One ``ReplicaDivision`` worked out over flat arrays: the eligible candidates (weight and limit
/// above 0) sorted by name once, so every tie-break is a comparison of positions and nothing is
/// hashed, re-sorted or allocated per round.
struct DivisionRun {
    /// The eligible candidates' indices in the caller's array, in name order; a position in this
    /// array is what every other array is indexed by.
    private(set) var order: [Int]
    private let weight: [Int]
    /// The most each may hold: its room and `maxReplicasPerDatacenter`, whichever is smaller.
    private let limit: [Int]
    private let current: [Int]
    /// Replicas given to each so far.
    private(set) var assigned: [Int]

    /// `inNameOrder`: the caller guarantees `candidates` are in strictly ascending name order, so
    /// they are not sorted again.
    init(_ candidates: [DivisionCandidate], maxReplicasPerDatacenter maxPer: Int?, inNameOrder: Bool = false) {
        var order: [Int] = [], weight: [Int] = [], limit: [Int] = [], current: [Int] = []
        order.reserveCapacity(candidates.count)
        weight.reserveCapacity(candidates.count)
        limit.reserveCapacity(candidates.count)
        current.reserveCapacity(candidates.count)
        func read() {
            for i in order {
                weight.append(candidates[i].weight)
                limit.append(Self.limit(candidates[i].room, maxPer))
                current.append(candidates[i].current)
            }
        }
        for i in candidates.indices where candidates[i].weight > 0 && Self.limit(candidates[i].room, maxPer) > 0 { order.append(i) }
        // Callers usually pass names in order already; the sort finds that in one sweep.
        if !inNameOrder { NameOrder.sort(&order) { candidates[$0].name } }
        read()
        (self.order, self.weight, self.limit, self.current) = (order, weight, limit, current)
        assigned = Array(repeating: 0, count: order.count)
    }

    private static func limit(_ room: Int?, _ maxPer: Int?) -> Int {
        max(0, min(room ?? Int.max, maxPer ?? Int.max))
    }

    /// Water-filling: divides `total` over the open candidates by the largest-remainder method;
    /// while some share reaches a candidate's limit, those candidates get their limit and close, and
    /// the rest is divided again among the others. Returns what nobody had room for.
    mutating func fill(_ total: Int) -> Int {
        var remaining = total
        var open = Array(weight.indices)
        var openWeight = weight.reduce(0, +)
        var share = Array(repeating: 0, count: weight.count)
        // Ranks by position in `open`, and a copy the selection reorders.
        var rank: [Rank] = [], scratch: [Rank] = []
        rank.reserveCapacity(open.count)
        while remaining > 0, !open.isEmpty {
            // Hamilton's method: the floors of the exact quotas (worked out once per run of equal
            // weights: most candidates share one)…
            var given = 0, full = 0, borderline = 0
            var lastWeight = -1, quotient = 0, remainder = 0
            rank.removeAll(keepingCapacity: true)
            for p in open {
                if weight[p] != lastWeight {
                    lastWeight = weight[p]
                    (quotient, remainder) = (remaining * lastWeight).quotientAndRemainder(dividingBy: openWeight)
                }
                share[p] = quotient
                rank.append(Rank(remainder: remainder, holds: current[p] > quotient))
                given += quotient
                if quotient >= limit[p] { full += 1 } else if quotient == limit[p] - 1 { borderline += 1 }
            }
            // …then one more each to the largest remainders. Needed unless the candidates that
            // close this round are known without it (the others' shares are divided again anyway).
            let extras = remaining - given
            if extras > 0, full == 0 || borderline > 0 {
                scratch = rank
                // The extras go to every rank above the extras-th best, and to the first (by
                // position: `open` ascends) of those equal to it.
                let (threshold, above) = Self.best(extras, of: &scratch)
                var equal = extras - above
                for (k, p) in open.enumerated() {
                    if threshold < rank[k] {
                        share[p] += 1
                    } else if equal > 0, rank[k] == threshold {
                        share[p] += 1
                        equal -= 1
                    } else {
                        continue
                    }
                    if share[p] == limit[p] { full += 1 }
                }
            }
            if full == 0 {
                for p in open { assigned[p] += share[p] }
                return 0
            }
            var stillOpen: [Int] = []
            stillOpen.reserveCapacity(open.count)
            for p in open {
                if share[p] >= limit[p] {
                    assigned[p] = limit[p]
                    remaining -= limit[p]
                    openWeight -= weight[p]
                } else {
                    stillOpen.append(p)
                }
            }
            open = stillOpen
        }
        return remaining
    }

    /// How an extra replica is earned: by the larger remainder, then (equal remainders) by already
    /// running more than the floor, so the same inputs give the same division on the next pass;
    /// then by the first name (position), which the caller settles.
    struct Rank: Comparable {
        let remainder: Int
        let holds: Bool

        static func < (a: Rank, b: Rank) -> Bool {
            a.remainder != b.remainder ? a.remainder < b.remainder : !a.holds && b.holds
        }
    }

    /// Spreads over `wanted` datacenters when fewer got replicas: one replica at a time from the
    /// largest share (then the first name) to the next candidate with none (by weight, then name).
    /// Returns true when it runs out of donors or takers first.
    mutating func spread(over wanted: Int) -> Bool {
        var placed = assigned.reduce(0) { $0 + ($1 > 0 ? 1 : 0) }
        guard placed < wanted else { return false }
        // A taker gets one replica and a donor keeps at least one, so the takers' order holds throughout.
        var takers = assigned.indices.filter { assigned[$0] == 0 }
        takers.sort { weight[$0] != weight[$1] ? weight[$0] > weight[$1] : $0 < $1 }
        var next = 0
        while placed < wanted {
            var donor: Int?
            for p in assigned.indices where assigned[p] >= 2 && assigned[p] > (donor.map { assigned[$0] } ?? 0) { donor = p }
            guard let donor, next < takers.count else { return true }
            assigned[donor] -= 1
            assigned[takers[next]] += 1
            next += 1
            placed += 1
        }
        return false
    }

    /// The `k`-th largest of `ranks` (1 ≤ `k` ≤ count, counting equal ones) and how many are
    /// larger than it: a quickselect with a three-way partition, linear on average even when most
    /// ranks are equal. Reorders `ranks`.
    static func best<T: Comparable>(_ k: Int, of ranks: inout [T]) -> (value: T, above: Int) {
        precondition(k >= 1 && k <= ranks.count)
        // Descending order is sought; everything before `low` is larger than everything in
        // low...high, everything after `high` smaller.
        var low = 0, high = ranks.count - 1
        let wanted = k - 1
        while low < high {
            let middle = low + (high - low) / 2
            // Median of three as the pivot, so sorted input stays linear.
            let (a, b, c) = (ranks[low], ranks[middle], ranks[high])
            let pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b))
            // ranks[low..<greater] > pivot, ranks[greater..<smaller] == pivot, the rest below.
            var greater = low, i = low, smaller = high + 1
            while i < smaller {
                if pivot < ranks[i] {
                    ranks.swapAt(i, greater)
                    greater += 1
                    i += 1
                } else if ranks[i] < pivot {
                    smaller -= 1
                    ranks.swapAt(i, smaller)
                } else {
                    i += 1
                }
            }
            if wanted < greater {
                high = greater - 1
            } else if wanted >= smaller {
                low = smaller
            } else {
                return (pivot, greater)
            }
        }
        return (ranks[low], low)
    }
}
