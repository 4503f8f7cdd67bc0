import FederationAPI
@testable import FederationCore
import Testing

/// The planner's search of the last status's names by their keys (binary search for short lists,
/// a hash table for long ones) against a plain search with `String`'s `==`.
struct RecordedNamesTests {
    @Test func findsExactlyTheListedNames() {
        var random = SimulationRandom(seed: 20261206)
        for round in 0..<2000 {
            let count = random.int(in: 0...(round % 4 == 0 ? 120 : 40))
            let asciiOnly = random.chance(0.8)
            var names = (0..<count).map { _ in PlacementShortcutTests.name(&random) }
            if asciiOnly { names = names.map { String($0.unicodeScalars.filter(\.isASCII)) } }
            names = Array(Set(names)).sorted()
            let recorded = names.map { ServiceDatacenterStatus(name: $0) }
            guard let index = RecordedNames(recorded) else {
                #expect(names.contains { $0.unicodeScalars.contains { !$0.isASCII } }, "round \(round): ASCII names in order refused")
                continue
            }
            for _ in 0..<60 {
                let query = random.chance(0.5) && !names.isEmpty ? random.pick(names) : PlacementShortcutTests.name(&random)
                let expected = names.firstIndex(of: query)
                switch index.position(of: query) {
                case .at(let k): #expect(k == expected, "round \(round): \(query.debugDescription) found at \(k)")
                case .absent: #expect(expected == nil, "round \(round): \(query.debugDescription) not found")
                case .unknown: #expect(query.unicodeScalars.contains { !$0.isASCII }, "round \(round): \(query.debugDescription) unknown")
                }
            }
        }
    }
}
