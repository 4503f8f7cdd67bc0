import FederationCore
import Foundation
import Testing

/// Dividing an active-active service's replicas over datacenters.
struct ReplicaDivisionTests {
    typealias C = DivisionCandidate

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var total: Int
        var candidates: [C]
        var maxPer: Int? = nil
        var minDatacenters = 1
        var expected: [String: Int]
        var unplaced = 0
        var spreadShort = false
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "equal weights, largest remainder by name", total: 10, candidates: [C(name: "c"), C(name: "a"), C(name: "b")],
             expected: ["a": 4, "b": 3, "c": 3]),
        Case(name: "ties go to where replicas run now", total: 10, candidates: [C(name: "a"), C(name: "b"), C(name: "c", current: 4)],
             expected: ["a": 3, "b": 3, "c": 4]),
        Case(name: "weights 2:1:1", total: 12, candidates: [C(name: "us-east", weight: 2), C(name: "us-west"), C(name: "eu")],
             expected: ["us-east": 6, "us-west": 3, "eu": 3]),
        Case(name: "capacity caps a share; the rest goes by weight", total: 12,
             candidates: [C(name: "a", weight: 2, room: 2), C(name: "b"), C(name: "c")], expected: ["a": 2, "b": 5, "c": 5]),
        Case(name: "maxReplicasPerDatacenter", total: 12, candidates: [C(name: "a", weight: 10), C(name: "b")], maxPer: 8,
             expected: ["a": 8, "b": 4]),
        Case(name: "not enough room: the shortfall is reported, nothing overcommitted", total: 10,
             candidates: [C(name: "a", room: 3), C(name: "b", room: 2)], expected: ["a": 3, "b": 2], unplaced: 5),
        Case(name: "weight 0 and no room take nothing", total: 4, candidates: [C(name: "a", weight: 0), C(name: "b", room: 0), C(name: "c")],
             expected: ["c": 4]),
        Case(name: "minDatacenters spreads a heavy weight", total: 3, candidates: [C(name: "a", weight: 10), C(name: "b"), C(name: "c")],
             minDatacenters: 3, expected: ["a": 1, "b": 1, "c": 1]),
        Case(name: "minDatacenters cannot be met with one candidate", total: 6, candidates: [C(name: "a")], minDatacenters: 2,
             expected: ["a": 6], spreadShort: true),
        Case(name: "fewer replicas than minDatacenters spreads what there is", total: 1,
             candidates: [C(name: "a"), C(name: "b")], minDatacenters: 2, expected: ["a": 1]),
        Case(name: "zero replicas", total: 0, candidates: [C(name: "a")], expected: [:]),
        Case(name: "no candidates", total: 5, candidates: [], expected: [:], unplaced: 5, spreadShort: true),
    ]

    @Test(arguments: cases) func division(_ c: Case) {
        let d = ReplicaDivision.divide(total: c.total, over: c.candidates, maxReplicasPerDatacenter: c.maxPer, minDatacenters: c.minDatacenters)
        #expect(d.replicas == c.expected)
        #expect(d.unplaced == c.unplaced)
        #expect(d.spreadShort == c.spreadShort)
    }

    @Test func aSmallChangeMovesFewReplicas() {
        let before = ReplicaDivision.divide(total: 12, over: [C(name: "a"), C(name: "b"), C(name: "c")])
        #expect(before.replicas == ["a": 4, "b": 4, "c": 4])
        // One more replica: only one datacenter changes, by one.
        let current = before.replicas
        let after = ReplicaDivision.divide(total: 13, over: ["a", "b", "c"].map { C(name: $0, current: current[$0] ?? 0) })
        let moved = ["a", "b", "c"].reduce(0) { $0 + abs((after.replicas[$1] ?? 0) - (current[$1] ?? 0)) }
        #expect(moved == 1)
    }

    /// Random inputs: the sum plus the shortfall is the total, no datacenter gets more than its room
    /// or the maximum, weight-0 candidates get nothing, and the result does not depend on order.
    @Test func propertiesHoldOverRandomInputs() {
        var random = SimulationRandom(seed: 20261205)
        for _ in 0..<2000 {
            let count = random.int(in: 0...6)
            let candidates = (0..<count).map { i in
                C(name: "dc-\(i)", weight: random.int(in: 0...5), room: random.int(in: 0...3) == 0 ? nil : random.int(in: 0...20), current: random.int(in: 0...10))
            }
            let total = random.int(in: 0...60)
            let maxPer = random.int(in: 0...2) == 0 ? random.int(in: 1...15) : nil
            let minDCs = random.int(in: 1...4)
            let d = ReplicaDivision.divide(total: total, over: candidates, maxReplicasPerDatacenter: maxPer, minDatacenters: minDCs)
            #expect(d.replicas.values.reduce(0, +) + d.unplaced == total)
            for c in candidates {
                let got = d.replicas[c.name] ?? 0
                #expect(got <= (c.room ?? Int.max) && got <= (maxPer ?? Int.max), "\(c) got \(got)")
                if c.weight == 0 { #expect(got == 0) }
            }
            if d.unplaced > 0 {
                // Only when every eligible candidate is full.
                for c in candidates where c.weight > 0 {
                    #expect((d.replicas[c.name] ?? 0) == min(c.room ?? Int.max, maxPer ?? Int.max))
                }
            }
            let shuffled = candidates.reversed()
            #expect(ReplicaDivision.divide(total: total, over: Array(shuffled), maxReplicasPerDatacenter: maxPer, minDatacenters: minDCs) == d)
        }
    }
}
