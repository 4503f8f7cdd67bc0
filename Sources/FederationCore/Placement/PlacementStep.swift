/// How an ActiveActive service moves from the replicas its datacenters run toward a new division,
/// a step at a time, as a Deployment's rolling update does with its default `maxSurge`: the
/// datacenters that gain never run more than a quarter of the total (at least 1) above it, and
/// those that lose give back only what the gainers already run ready.
///
/// Replicas that are not running (a lost datacenter's share, a total raised) are not surge: they
/// are placed at once, so a datacenter's loss is never slowed by the steps.
enum PlacementStep {
    /// The most replicas a planned move runs above the division's total: a quarter of `total`,
    /// rounded up, and at least 1.
    static func surge(total: Int) -> Int { max(1, (total + 3) / 4) }

    /// How much to take from each of `amounts` so that `take` in all (at most their sum) are taken,
    /// levelling from the largest down: the largest amounts shrink first, and equal ones in index
    /// order (their datacenters' name order), so the result is deterministic.
    static func level(_ amounts: [Int], take: Int) -> [Int] {
        let sum = amounts.reduce(0) { $0 + max(0, $1) }
        guard take > 0, sum > 0 else { return Array(repeating: 0, count: amounts.count) }
        guard take < sum else { return amounts.map { max(0, $0) } }
        // The lowest level L whose cut, Σ max(0, a - L), is at most `take` (the cut shrinks as L grows).
        var low = 0, high = amounts.max() ?? 0
        func cut(_ level: Int) -> Int { amounts.reduce(0) { $0 + max(0, $1 - level) } }
        while low < high {
            let middle = (low + high) / 2
            if cut(middle) <= take { high = middle } else { low = middle + 1 }
        }
        var taken = amounts.map { max(0, $0 - low) }
        // The rest, one each from those at the level, in order: fewer than are there (the cut at L - 1 exceeds `take`).
        var rest = take - cut(low)
        for i in amounts.indices where rest > 0 && low > 0 && amounts[i] >= low {
            taken[i] += 1
            rest -= 1
        }
        return taken
    }
}
