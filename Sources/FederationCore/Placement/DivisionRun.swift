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

    init(_ candidates: [DivisionCandidate], maxReplicasPerDatacenter maxPer: Int?) {
        var order: [Int] = []
        order.reserveCapacity(candidates.count)
        for (i, c) in candidates.enumerated() where c.weight > 0 && Self.limit(c, maxPer) > 0 { order.append(i) }
        // Callers usually pass names in order already; the sort finds that in one sweep.
        order.sort { candidates[$0].name < candidates[$1].name }
        self.order = order
        weight = order.map { candidates[$0].weight }
        limit = order.map { Self.limit(candidates[$0], maxPer) }
        current = order.map { candidates[$0].current }
        assigned = Array(repeating: 0, count: order.count)
    }

    private static func limit(_ c: DivisionCandidate, _ maxPer: Int?) -> Int {
        max(0, min(c.room ?? Int.max, maxPer ?? Int.max))
    }

    /// Water-filling: divides `total` over the open candidates by the largest-remainder method;
    /// while some share reaches a candidate's limit, those candidates get their limit and close, and
    /// the rest is divided again among the others. Returns what nobody had room for.
    mutating func fill(_ total: Int) -> Int {
        var remaining = total
        var open = Array(weight.indices)
        var openWeight = weight.reduce(0, +)
        var share = Array(repeating: 0, count: weight.count)
        var remainder = share
        var ranked: [Int] = []
        while remaining > 0, !open.isEmpty {
            // Hamilton's method: the floors of the exact quotas…
            var given = 0, full = 0, borderline = 0
            for p in open {
                (share[p], remainder[p]) = (remaining * weight[p]).quotientAndRemainder(dividingBy: openWeight)
                given += share[p]
                if share[p] >= limit[p] { full += 1 } else if share[p] == limit[p] - 1 { borderline += 1 }
            }
            // …then one more each to the largest remainders. Needed unless the candidates that
            // close this round are known without it (the others' shares are divided again anyway).
            let extras = remaining - given
            if extras > 0, full == 0 || borderline > 0 {
                ranked = open
                Self.moveFirst(extras, of: &ranked) { a, b in
                    if remainder[a] != remainder[b] { return remainder[a] > remainder[b] }
                    // Equal remainders: the datacenter already running more than its floor keeps
                    // the extra replica, so the same inputs give the same division on the next pass.
                    let (holdsA, holdsB) = (current[a] > share[a], current[b] > share[b])
                    if holdsA != holdsB { return holdsA }
                    return a < b
                }
                for p in ranked.prefix(extras) { share[p] += 1 }
            }
            if !open.contains(where: { share[$0] >= limit[$0] }) {
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

    /// Reorders `items` so that its first `k` elements are the `k` that come first by `before` (a
    /// strict total order), in any order among themselves: a quickselect, linear on average.
    static func moveFirst(_ k: Int, of items: inout [Int], by before: (Int, Int) -> Bool) {
        guard k > 0, k < items.count else { return }
        var low = 0, high = items.count - 1
        while low < high {
            // Median of three as the pivot, so sorted input stays linear.
            let middle = low + (high - low) / 2
            if before(items[middle], items[low]) { items.swapAt(middle, low) }
            if before(items[high], items[low]) { items.swapAt(high, low) }
            if before(items[high], items[middle]) { items.swapAt(high, middle) }
            let pivot = items[middle]
            var i = low, j = high
            while i <= j {
                while before(items[i], pivot) { i += 1 }
                while before(pivot, items[j]) { j -= 1 }
                if i <= j {
                    items.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Now items[low...j] come before items[i...high]; the k-th element's place decides the side.
            if k - 1 <= j {
                high = j
            } else if k - 1 >= i {
                low = i
            } else {
                return
            }
        }
    }
}
