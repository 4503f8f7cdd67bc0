import Testing

@testable import FederationCore

/// ``PlacementStep``: the surge a planned move may run above the total, and how a step's replicas
/// are taken from (or given to) several datacenters.
struct PlacementStepTests {
    @Test func theSurgeIsAQuarterOfTheTotalRoundedUpAndAtLeastOne() {
        #expect([0, 1, 4, 5, 12, 13, 100].map { PlacementStep.surge(total: $0) } == [1, 1, 1, 2, 3, 4, 25])
    }

    @Test func levellingTakesFromTheLargestFirstAndTiesInOrder() {
        #expect(PlacementStep.level([3, 3], take: 3) == [2, 1])
        #expect(PlacementStep.level([1, 2], take: 3) == [1, 2])
        #expect(PlacementStep.level([5, 1, 5], take: 4) == [2, 0, 2])
        #expect(PlacementStep.level([5, 1, 5], take: 3) == [2, 0, 1])
        #expect(PlacementStep.level([0, 4, 0], take: 10) == [0, 4, 0], "never more than there is")
        #expect(PlacementStep.level([2, 2], take: 0) == [0, 0])
        #expect(PlacementStep.level([2, 2], take: -1) == [0, 0])
    }

    /// Over random amounts: exactly min(take, sum) taken, none above its amount, and what is left
    /// as level as it can be (no amount left more than one above another that gave something).
    @Test func levellingKeepsItsPromisesOverRandomInputs() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let amounts = (0..<Int.random(in: 1...8, using: &generator)).map { _ in Int.random(in: 0...9, using: &generator) }
            let take = Int.random(in: 0...40, using: &generator)
            let taken = PlacementStep.level(amounts, take: take)
            #expect(taken.reduce(0, +) == min(take, amounts.reduce(0, +)), "\(amounts) take \(take): \(taken)")
            #expect(zip(amounts, taken).allSatisfy { $1 >= 0 && $1 <= $0 }, "\(amounts) take \(take): \(taken)")
            let left = zip(amounts, taken).map { $0 - $1 }
            for i in amounts.indices where taken[i] > 0 {
                #expect(left.allSatisfy { $0 <= left[i] + 1 }, "\(amounts) take \(take): \(taken) leaves \(left)")
            }
        }
    }
}
