/// One ``ReplicaDivision`` worked out over one flat array: the eligible candidates (weight and
/// limit above 0) sorted by name once, so every tie-break is a comparison of positions and nothing
/// is hashed, re-sorted or allocated per round.
struct DivisionRun {
    /// One eligible candidate; its position in ``slots`` is what every tie-break compares.
    struct Slot {
        /// Its index in the caller's array.
        let index: Int
        let weight: Int
        /// The most it may hold: its room and `maxReplicasPerDatacenter`, whichever is smaller.
        let limit: Int
        let current: Int
        /// Replicas given to it so far.
        var assigned = 0
        /// Its share in the current round of ``fill(_:)``.
        var share = 0
    }

    /// The eligible candidates, in name order.
    private(set) var slots: [Slot]

    /// `inNameOrder`: the caller guarantees `candidates` are in strictly ascending name order, so
    /// they are not sorted again.
    init(_ candidates: [DivisionCandidate], maxReplicasPerDatacenter maxPer: Int?, inNameOrder: Bool = false) {
        var slots: [Slot] = []
        slots.reserveCapacity(candidates.count)
        for i in candidates.indices {
            let limit = Self.limit(candidates[i].room, maxPer)
            if candidates[i].weight > 0 && limit > 0 {
                slots.append(Slot(index: i, weight: candidates[i].weight, limit: limit, current: candidates[i].current))
            }
        }
        // Callers usually pass names in order already; the sort finds that in one sweep.
        if !inNameOrder {
            var order = Array(slots.indices)
            NameOrder.sort(&order) { candidates[slots[$0].index].name }
            slots = order.map { slots[$0] }
        }
        self.slots = slots
    }

    private static func limit(_ room: Int?, _ maxPer: Int?) -> Int {
        max(0, min(room ?? Int.max, maxPer ?? Int.max))
    }

    /// Water-filling: divides `total` over the open candidates by the largest-remainder method;
    /// while some share reaches a candidate's limit, those candidates get their limit and close, and
    /// the rest is divided again among the others. Returns what nobody had room for.
    mutating func fill(_ total: Int) -> Int {
        var remaining = total
        var open = Array(slots.indices)
        var openWeight = slots.reduce(0) { $0 + $1.weight }
        // Ranks by position in `open`, and a copy the selection reorders.
        var rank: [Rank] = [], scratch: [Rank] = []
        rank.reserveCapacity(open.count)
        return slots.withUnsafeMutableBufferPointer { slots in
            while remaining > 0, !open.isEmpty {
                // Hamilton's method: the floors of the exact quotas (worked out once per run of equal
                // weights: most candidates share one)…
                var given = 0, full = 0, borderline = 0
                var lastWeight = -1, quotient = 0, remainder = 0
                rank.removeAll(keepingCapacity: true)
                for p in open {
                    if slots[p].weight != lastWeight {
                        lastWeight = slots[p].weight
                        (quotient, remainder) = (remaining * lastWeight).quotientAndRemainder(dividingBy: openWeight)
                    }
                    slots[p].share = quotient
                    rank.append(Rank(remainder: remainder, holds: slots[p].current > quotient))
                    given += quotient
                    if quotient >= slots[p].limit { full += 1 } else if quotient == slots[p].limit - 1 { borderline += 1 }
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
                            slots[p].share += 1
                        } else if equal > 0, rank[k] == threshold {
                            slots[p].share += 1
                            equal -= 1
                        } else {
                            continue
                        }
                        if slots[p].share == slots[p].limit { full += 1 }
                    }
                }
                if full == 0 {
                    for p in open { slots[p].assigned += slots[p].share }
                    return 0
                }
                // Those at their limit close; the rest stay open, in order.
                for p in open where slots[p].share >= slots[p].limit {
                    slots[p].assigned = slots[p].limit
                    remaining -= slots[p].limit
                    openWeight -= slots[p].weight
                }
                open.removeAll { slots[$0].share >= slots[$0].limit }
            }
            return remaining
        }
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
        var placed = slots.reduce(0) { $0 + ($1.assigned > 0 ? 1 : 0) }
        guard placed < wanted else { return false }
        // A taker gets one replica and a donor keeps at least one, so the takers' order holds throughout.
        var takers = slots.indices.filter { slots[$0].assigned == 0 }
        takers.sort { slots[$0].weight != slots[$1].weight ? slots[$0].weight > slots[$1].weight : $0 < $1 }
        var next = 0
        while placed < wanted {
            var donor: Int?
            for p in slots.indices where slots[p].assigned >= 2 && slots[p].assigned > (donor.map { slots[$0].assigned } ?? 0) { donor = p }
            guard let donor, next < takers.count else { return true }
            slots[donor].assigned -= 1
            slots[takers[next]].assigned += 1
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
