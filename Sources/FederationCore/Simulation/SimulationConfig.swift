import FederationAPI
import Foundation

/// The shape of one simulation run: how many members, how long, how often things break.
public struct SimulationConfig: Hashable, Sendable {
    /// Member datacenters (at least 1).
    public var datacenters: Int
    /// Simulated seconds per schedule; one step is one second (one probe period at the defaults).
    public var steps: Int
    /// The last steps of every schedule run without faults: faults heal at `steps - healSteps`.
    public var healSteps: Int
    /// After the heal, exactly one primary must act within this many steps, and keep acting.
    public var convergenceBound: Int
    /// The chance, per step before the heal, that a new fault starts.
    public var faultRate: Double
    /// The chance, per step before the heal, that a person changes spec.primary or asks for a failback.
    public var operationRate: Double
    /// ServiceFailovers (ActivePassive) run beside the promotion part; 0 runs none.
    public var services: Int
    /// After the heal, every ActivePassive service must be settled within this many steps, and stay so.
    public var serviceSettleBound: Int
    /// After the heal, every ActiveActive service must be settled within this many steps, and stay so:
    /// longer than ``serviceSettleBound``, since a returning datacenter's share comes back a step at a time.
    public var activeActiveSettleBound: Int
    /// ActiveActive ServiceFailovers run beside them; 0 runs none.
    public var activeActive: Int

    /// Creates a configuration; the defaults run 260 s with faults during the first 200 s, two
    /// ActivePassive services and one ActiveActive service (none of either with `services: 0`
    /// unless `activeActive` is given).
    public init(
        datacenters: Int = 5, steps: Int = 260, healSteps: Int = 60, convergenceBound: Int = 15, faultRate: Double = 0.06,
        operationRate: Double = 0.015, services: Int = 2, serviceSettleBound: Int = 35, activeActive: Int? = nil, activeActiveSettleBound: Int = 50
    ) {
        self.services = services
        self.activeActiveSettleBound = activeActiveSettleBound
        self.activeActive = activeActive ?? (services > 0 ? 1 : 0)
        self.serviceSettleBound = serviceSettleBound
        self.datacenters = datacenters
        self.steps = steps
        self.healSteps = healSteps
        self.convergenceBound = convergenceBound
        self.faultRate = faultRate
        self.operationRate = operationRate
    }

    /// Why the configuration cannot run, or nil when it can.
    public var problem: String? {
        if datacenters < 1 { return "--datacenters must be at least 1" }
        if datacenters > 1000 { return "--datacenters must be at most 1000" }
        if healSteps < convergenceBound + 1 { return "the heal phase must be longer than the convergence bound (\(convergenceBound) steps)" }
        if steps <= healSteps { return "--steps must be more than \(healSteps) (the fault-free tail)" }
        if services < 0 { return "--services must be 0 (none) or more" }
        if services > 100 { return "--services must be at most 100" }
        if activeActive < 0 { return "--active-active must be 0 (none) or more" }
        if activeActive > 100 { return "--active-active must be at most 100" }
        if services + activeActive > 0, healSteps <= serviceSettleBound {
            return "the heal phase must be longer than the services' settle bound (\(serviceSettleBound) steps)"
        }
        if activeActive > 0, healSteps <= activeActiveSettleBound {
            return "the heal phase must be longer than the ActiveActive services' settle bound (\(activeActiveSettleBound) steps)"
        }
        return nil
    }

    /// The step at which every fault heals.
    public var healStep: Int { steps - healSteps }
}

/// The policy and members one schedule runs with, drawn from its seed so that schedules cover
/// every promotion setting: mode, quorum, candidates, failback, stabilization, priorities, cordons.
public struct SimulatedFederation: Hashable, Sendable {
    /// The FederationPolicy at the start (no status yet).
    public var policy: FederationPolicy
    /// Member names, `dc-0` … `dc-(n-1)`.
    public var names: [String]
    /// Each member's spec.
    public var specs: [DatacenterSpec]
    /// Each member's base probe latency in milliseconds.
    public var latencies: [Int]

    /// Draws a federation of `count` members.
    public static func draw(count: Int, random: inout SimulationRandom) -> SimulatedFederation {
        let names = (0..<count).map { "dc-\($0)" }
        let priorities = [50, 100, 100, 200, 500]
        var specs = names.indices.map { _ in
            DatacenterSpec(region: "region", priority: random.pick(priorities), unschedulable: random.chance(0.1) ? true : nil)
        }
        let primary = random.int(in: 0...(count - 1))
        specs[primary].unschedulable = nil
        let latencies = names.indices.map { _ in random.int(in: 1...120) }
        var candidates: [String]? = nil
        if count > 2, random.chance(0.3) {
            candidates = Array(random.shuffled(names).prefix(random.int(in: 1...(count - 1))))
        }
        let promotion = PromotionSpec(
            mode: random.chance(0.1) ? .manual : .automatic, unreachableForSeconds: random.pick([0, 3, 10, 30]),
            candidates: candidates, requireQuorum: random.chance(0.8))
        let spec = FederationPolicySpec(
            primary: names[primary], promotion: promotion, failback: random.chance(0.5) ? .automatic : .manual,
            stabilizationSeconds: random.pick([0, 5, 20]))
        let policy = FederationPolicy(metadata: ObjectMeta(name: "global", generation: 1), spec: spec)
        return SimulatedFederation(policy: policy, names: names, specs: specs, latencies: latencies)
    }
}
