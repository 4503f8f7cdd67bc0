import FederationCore
import Foundation
import Testing

/// The division against a plain model of its specification: the largest-remainder method re-run
/// over every open candidate each round, with dictionaries and full sorts and no shortcuts. The
/// real one works over arrays and skips work; on the same inputs it must decide exactly the same.
struct ReplicaDivisionModelTests {
    typealias C = DivisionCandidate

    @Test func matchesTheModelOverRandomInputs() {
        var random = SimulationRandom(seed: 20261206)
        for round in 0..<6000 {
            let count = random.int(in: 0...(round % 10 == 0 ? 120 : 12))
            // Few distinct weights, rooms and currents, so equal remainders and ties are common; small
            // rooms, so several rounds close candidates, some only by an extra replica.
            let rooms = random.chance(0.5) ? 3 : 25
            let candidates = (0..<count).map { i in
                C(name: "dc-\(random.int(in: 0...9))-\(i)", weight: random.int(in: 0...(random.chance(0.5) ? 1 : 6)),
                  room: random.chance(0.3) ? nil : random.int(in: 0...rooms), current: random.chance(0.5) ? 0 : random.int(in: 0...12))
            }
            let total = random.int(in: 0...(count * 8 + 5))
            let maxPer = random.chance(0.3) ? random.int(in: 1...15) : nil
            let minDCs = random.int(in: 1...max(1, count + 1))
            let real = ReplicaDivision.divide(total: total, over: candidates, maxReplicasPerDatacenter: maxPer, minDatacenters: minDCs)
            let model = Self.model(total: total, over: candidates, maxPer: maxPer, minDatacenters: minDCs)
            #expect(real == model, "total \(total), maxPer \(String(describing: maxPer)), minDatacenters \(minDCs), \(candidates)")
        }
    }

    /// The specification, step by step (names are unique).
    static func model(total: Int, over candidates: [C], maxPer: Int?, minDatacenters: Int) -> ReplicaDivision {
        func limit(_ c: C) -> Int { max(0, min(c.room ?? Int.max, maxPer ?? Int.max)) }
        let eligible = candidates.filter { $0.weight > 0 && limit($0) > 0 }.sorted { $0.name < $1.name }
        var assigned: [String: Int] = [:]
        var remaining = max(0, total)
        var open = eligible
        while remaining > 0, !open.isEmpty {
            let weights = open.reduce(0) { $0 + $1.weight }
            var shares: [String: Int] = [:]
            var order: [(name: String, remainder: Int, holdsExtra: Bool)] = []
            for c in open {
                let (q, r) = (remaining * c.weight).quotientAndRemainder(dividingBy: weights)
                shares[c.name] = q
                order.append((c.name, r, c.current > q))
            }
            order.sort { a, b in
                if a.remainder != b.remainder { return a.remainder > b.remainder }
                if a.holdsExtra != b.holdsExtra { return a.holdsExtra }
                return a.name < b.name
            }
            for entry in order.prefix(remaining - shares.values.reduce(0, +)) { shares[entry.name, default: 0] += 1 }
            let full = open.filter { shares[$0.name, default: 0] >= limit($0) }
            if full.isEmpty {
                for c in open { assigned[c.name, default: 0] += shares[c.name, default: 0] }
                remaining = 0
            } else {
                for c in full {
                    assigned[c.name] = limit(c)
                    remaining -= limit(c)
                }
                open.removeAll { c in full.contains { $0.name == c.name } }
            }
        }
        var spreadShort = false
        while assigned.values.filter({ $0 > 0 }).count < min(max(1, minDatacenters), max(0, total)) {
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
}
