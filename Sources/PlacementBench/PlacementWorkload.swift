import FederationAPI
import FederationCore
import Foundation

/// The generated federation the placement benchmark divides over: datacenters with capacities,
/// and ActiveActive services with totals, weights and limits, all drawn from one seed.
struct PlacementWorkload {
    /// Datacenter names, `dc-0000` …
    let names: [String]
    /// Each datacenter's room for one service (nil: unbounded), by index.
    let rooms: [Int?]
    /// The services' specs.
    let specs: [ServiceFailoverSpec]
    /// How many datacenters each service selects (its candidates).
    let selected: Int

    /// Draws `services` services over `datacenters` datacenters, each service selecting `selected`
    /// of them: a third of the datacenters unbounded, the rest with room for 0 to 40 replicas;
    /// totals of 3 to 3,000 replicas; five weighted datacenters per service; a quarter of the
    /// services with `maxReplicasPerDatacenter`, a quarter with `minDatacenters` 3.
    init(services: Int, datacenters: Int, selected: Int, seed: UInt64) {
        var random = SimulationRandom(seed: seed)
        let names = (0..<datacenters).map { String(format: "dc-%04d", $0) }
        self.names = names
        rooms = names.map { _ in random.chance(1.0 / 3) ? nil : random.int(in: 0...40) }
        self.selected = min(selected, datacenters)
        var specs: [ServiceFailoverSpec] = []
        specs.reserveCapacity(services)
        for i in 0..<services {
            let weights = (0..<5).map { _ in DatacenterWeight(datacenter: random.pick(names), weight: random.int(in: 0...4)) }
            let placement = PlacementSpec(
                weights: weights, minDatacenters: random.chance(0.25) ? 3 : nil, maxReplicasPerDatacenter: random.chance(0.25) ? random.int(in: 2...20) : nil)
            specs.append(ServiceFailoverSpec(
                service: "svc-\(i)", primary: names[0], mode: .activeActive, replicas: random.int(in: 3...3000), placement: placement))
        }
        self.specs = specs
    }

    /// The candidates of service `s`: `selected` consecutive datacenters starting at an offset drawn
    /// from the service's index, each with its weight, its room and the replicas it runs now.
    func candidates(of s: Int, current: [String: Int] = [:]) -> [DivisionCandidate] {
        let start = (s &* 7919) % names.count
        let placement = specs[s].placement ?? PlacementSpec()
        return (0..<selected).map { k in
            let i = (start + k) % names.count
            return DivisionCandidate(name: names[i], weight: placement.weight(of: names[i]), room: rooms[i], current: current[names[i]] ?? 0)
        }
    }

    /// The input of a steady-state planning pass of service `s`: every selected datacenter Ready
    /// for an hour, running and ready with `placed`, and the status a first pass wrote.
    func input(of s: Int, placed: [String: Int], status: ServiceFailoverStatus?, now: Date) -> ActiveActiveInput {
        let start = (s &* 7919) % names.count
        var sites: [String: SiteHealth] = [:]
        var selectedNames = Set<String>()
        for k in 0..<selected {
            let i = (start + k) % names.count
            let name = names[i]
            selectedNames.insert(name)
            // Capacity leaves exactly `rooms[i]` for this service besides what it runs there now.
            let mine = placed[name] ?? 0
            sites[name] = SiteHealth(
                name: name, phase: .ready, readySince: now.addingTimeInterval(-3600), readyReplicas: mine,
                capacityReplicas: rooms[i].map { $0 + 10 }, placedReplicas: rooms[i] == nil ? 0 : 10)
        }
        return ActiveActiveInput(
            spec: specs[s], status: status, sites: sites, selected: selectedNames, desiredReplicas: placed, now: now, generation: 1)
    }

    /// The input of the pass after `first`, the first placement of service `s`: every share it
    /// placed running and ready.
    func steadyInput(of s: Int, after first: ServicePlan, now: Date) -> ActiveActiveInput {
        let placed = Dictionary(first.status.datacenters.compactMap { dc in dc.desiredReplicas.map { (dc.name, $0) } }, uniquingKeysWith: { a, _ in a })
        return input(of: s, placed: placed, status: first.status, now: now)
    }
}
