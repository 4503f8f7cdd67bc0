import FederationAPI
@testable import FederationCore
import Foundation
import Testing

/// The placement's shortcuts against the plain operations they replace: the name sort by integer
/// keys against `String`'s `<`, the selection of the extras against a full sort, and the planner's
/// walk over status in name order against status in any order.
struct PlacementShortcutTests {
    /// Names that share long prefixes, differ only past 16 bytes, repeat, mix case and digits, are
    /// empty, or hold a NUL or a non-ASCII character (including one that composes with the previous).
    static func name(_ random: inout SimulationRandom) -> String {
        let pieces = ["dc-", "us-east-", "eu-central-", "a", "A", "0", "9", "-", "zz", "\u{0}", "é", "e\u{301}", "x", ""]
        var text = random.chance(0.5) ? "datacenter-region-" : ""
        for _ in 0..<random.int(in: 0...4) { text += random.pick(pieces) }
        return text
    }

    @Test func nameSortMatchesStringOrder() {
        var random = SimulationRandom(seed: 20261205)
        for round in 0..<3000 {
            let count = random.int(in: 0...(round % 10 == 0 ? 400 : 40))
            let asciiOnly = random.chance(0.7)
            var names = (0..<count).map { _ in Self.name(&random) }
            if asciiOnly { names = names.map { String($0.unicodeScalars.filter(\.isASCII)) } }
            // Sorted, a few ascending runs, or shuffled.
            switch random.int(in: 0...2) {
            case 0: names.sort()
            case 1:
                names.sort()
                let cut = random.int(in: 0...names.count)
                names = Array(names[cut...] + names[..<cut])
            default: break
            }
            var order = Array(names.indices)
            NameOrder.sort(&order) { names[$0] }
            // The standard sort is stable: equal names keep their order, as they must in the fast one.
            let expected = Array(names.indices).sorted { names[$0] < names[$1] }
            #expect(order == expected, "\(names)")
            // Short lists are sorted as strings, long ones by their keys: the same order either way.
            #expect(NameOrder.sorted(names).map { Array($0.utf8) } == names.sorted().map { Array($0.utf8) }, "\(names)")
        }
    }

    @Test func keysSortLikeTheirWordsAndPositions() {
        var random = SimulationRandom(seed: 7)
        for _ in 0..<500 {
            let count = random.int(in: 0...300)
            // Few distinct bytes in few places (the radix path), or many (the standard sort).
            let spread = random.chance(0.5) ? 3 : 64
            var keys = (0..<count).map { i in
                NameOrder.Key(
                    high: UInt64(random.int(in: 0...spread)) << 8 | UInt64(random.int(in: 0...3)) << 40,
                    low: random.chance(0.8) ? 0 : UInt64(random.int(in: 0...spread)), index: i)
            }
            let expected = keys.sorted()
            NameOrder.sortKeys(&keys)
            #expect(keys == expected)
        }
    }

    @Test func extrasSelectionMatchesAFullSort() {
        var random = SimulationRandom(seed: 11)
        for _ in 0..<3000 {
            let count = random.int(in: 1...200)
            let distinct = random.chance(0.5) ? 3 : 1000
            var ranks = (0..<count).map { _ in DivisionRun.Rank(remainder: random.int(in: 0...distinct), holds: random.chance(0.3)) }
            let k = random.int(in: 1...count)
            let descending = ranks.sorted(by: >)
            let (value, above) = DivisionRun.best(k, of: &ranks)
            #expect(value == descending[k - 1])
            #expect(above == descending.filter { $0 > value }.count)
        }
    }

    /// The planner decides the same whatever order the last pass's status lists the datacenters
    /// in (its own name order is walked, any other looked up), with datacenters outside the
    /// selection still running or recorded.
    @Test func planIgnoresTheOrderOfStatus() {
        var random = SimulationRandom(seed: 3)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for _ in 0..<400 {
            let names = (0..<random.int(in: 1...9)).map { "dc-\($0)" }
            let selected = Set(names.filter { _ in random.chance(0.7) })
            var sites: [String: SiteHealth] = [:]
            var desired: [String: Int] = [:]
            var recorded: [ServiceDatacenterStatus] = []
            for name in names {
                let phase: DatacenterPhase = random.chance(0.8) ? .ready : .unreachable
                sites[name] = SiteHealth(
                    name: name, phase: phase, unhealthySince: now.addingTimeInterval(-100), readySince: now.addingTimeInterval(-1000),
                    readyReplicas: random.int(in: 0...4), capacityReplicas: random.chance(0.3) ? random.int(in: 0...6) : nil)
                if random.chance(0.6) { desired[name] = random.int(in: 0...5) }
                if random.chance(0.7) {
                    recorded.append(ServiceDatacenterStatus(name: name, role: .active, desiredReplicas: random.int(in: 0...5), endpoints: ["10.0.0.1:80"]))
                }
            }
            let spec = ServiceFailoverSpec(
                service: "web", primary: names[0], mode: .activeActive, replicas: random.int(in: 0...20),
                placement: PlacementSpec(weights: [DatacenterWeight(datacenter: random.pick(names), weight: random.int(in: 0...3))]))
            func plan(_ datacenters: [ServiceDatacenterStatus]) -> ServicePlan {
                planActiveActive(ActiveActiveInput(
                    spec: spec, status: recorded.isEmpty ? nil : ServiceFailoverStatus(observedGeneration: 1, datacenters: datacenters),
                    sites: sites, selected: selected, desiredReplicas: desired, now: now, generation: 1))
            }
            let inOrder = plan(recorded)
            let shuffled = plan(random.shuffled(recorded))
            #expect(inOrder == shuffled)
        }
    }
}
