import FederationAPI
import Foundation

/// One member's objects of the rule's namespace, as its API server holds them.
struct ReplicaStore: Sendable {
    var objects: [ReplicaKey: JSONValue] = [:]
    /// When each object was last written, by the member's own clock (its managedFields time).
    var writtenAt: [ReplicaKey: Date] = [:]
    /// The write each object removed from here held (a write made here later was made on top of it).
    var removed: [ReplicaKey: String] = [:]
}

/// The state of one running replication schedule.
struct ReplicationSchedule {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)
    /// The residency label value of the objects that must stay in `eu` regions.
    static let residency = "eu"

    let seed: UInt64
    let config: SimulationConfig
    let rules: ReplicationSimulationRules
    let topology: FederationTopology
    let rule: ReplicationRule
    let names: [String]
    let regions: [String]
    /// HubAndSpoke: the source member.
    let source: Int
    let keys: [ReplicaKey]
    var random: SimulationRandom
    var world: SimulatedWorld
    var stores: [ReplicaStore]
    /// Each member's clock error in seconds (clock steps move it).
    var clockErrors: [TimeInterval]
    var faults: [ActiveFault] = []
    /// Each write, by id, and the write the member's copy held when it was made (nil: none).
    var parents: [String: String] = [:]
    var writeCount = 0
    /// Mesh: the latest HLC reading the last pass saw (the controller keeps it in the rule's status).
    var meshClock: HLCTimestamp?
    var revision = 0
    var counts = ReplicationCounts()
    var trace = SimulationTrace()

    init(seed: UInt64, config: SimulationConfig, rules: ReplicationSimulationRules) {
        self.seed = seed
        self.config = config
        self.rules = rules
        // A stream of its own: the promotion and service parts of a seed are not disturbed.
        var random = SimulationRandom(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ 0x5245_504C)
        let count = max(2, config.datacenters)
        names = (0..<count).map { "dc-\($0)" }
        regions = names.map { _ in random.pick(["eu-central-1", "eu-west-1", "us-east-1"]) }
        topology = random.chance(0.5) ? .mesh : .hubAndSpoke
        source = random.int(in: 0...(count - 1))
        let residency = random.chance(0.25) ? Residency(allowedRegions: ["eu-*"]) : nil
        rule = ReplicationRule(
            metadata: ObjectMeta(name: "global", namespace: "shop", generation: 1),
            spec: ReplicationRuleSpec(
                source: topology == .mesh ? nil : names[source], resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap")],
                conflictResolution: topology == .mesh ? .lastWriterWins : .sourceWins, residency: residency))
        keys = (0..<6).map { ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: "cfg-\($0)") }
        clockErrors = names.map { _ in TimeInterval(random.pick([-90, -20, -3, 0, 0, 2, 15, 60])) }
        world = SimulatedWorld(names: names, latencies: names.map { _ in random.int(in: 1...120) })
        stores = Array(repeating: ReplicaStore(), count: count)
        self.random = random
    }

    mutating func run() -> ReplicationScheduleResult {
        let members = names.indices.map { "\(names[$0]) \(regions[$0]) clock \(Int(clockErrors[$0]))s" }.joined(separator: ", ")
        let kind = topology == .mesh ? "Mesh LastWriterWins" : "HubAndSpoke SourceWins from \(names[source])"
        trace.log(0, "seed \(seed): \(kind), residency \(rule.spec.residency?.allowedRegions.joined(separator: ",") ?? "-"); \(members)")
        counts.schedules[topology] = 1
        var violation: ReplicationViolation?
        var step = 0
        while step < config.steps, violation == nil {
            violation = advance(step)
            step += 1
        }
        if let violation { trace.log(violation.step, "VIOLATION \(violation.invariant.rawValue): \(violation.detail)") }
        trace.bound()
        return ReplicationScheduleResult(seed: seed, topology: topology, steps: step, counts: counts, violation: violation, trace: trace)
    }

    /// One simulated second: faults, people's writes, one hub pass, the checks.
    mutating func advance(_ step: Int) -> ReplicationViolation? {
        for fault in faults where fault.until <= step || step >= config.healStep {
            trace.log(step, "heal \(fault.kind.rawValue) \(fault.members.map { names[$0] }.joined(separator: ","))")
        }
        faults.removeAll { $0.until <= step || step >= config.healStep }
        if step < config.healStep {
            if random.chance(config.faultRate) { injectFault(step) }
            if random.chance(0.4) { personWrites(step) }
        }
        for i in names.indices {
            let alive = !faults.contains { $0.kind == .crash && $0.members.contains(i) }
            if alive != world.members[i].alive { trace.log(step, "\(names[i]) \(alive ? "restarts" : "crashes")") }
            world.members[i].alive = alive
        }
        world.applyLinks(faults)
        if let violation = pass(step) { return violation }
        return checkConvergence(step)
    }

    func hubNow(_ step: Int) -> Date { Self.start.addingTimeInterval(TimeInterval(step)) }
    func memberNow(_ i: Int, _ step: Int) -> Date { hubNow(step).addingTimeInterval(clockErrors[i]) }

    /// True when residency lets `key` land in member `i` (the rule's regions and the object's label).
    func allowed(_ i: Int, _ key: ReplicaKey) -> Bool {
        if let residency = rule.spec.residency, !residency.allows(region: regions[i]) { return false }
        return !Self.isResident(key) || regions[i].hasPrefix(Self.residency)
    }

    /// Every third object carries the residency label.
    static func isResident(_ key: ReplicaKey) -> Bool { key.name.hasSuffix("0") || key.name.hasSuffix("3") }

    /// The write a copy holds.
    static func writeID(_ object: JSONValue?) -> String? { object?["data"]?["w"]?.stringValue }

    /// True when `ancestor` is `write` or a write it was made on top of, however indirectly.
    func isAncestor(_ ancestor: String, of write: String) -> Bool {
        var current: String? = write
        while let id = current {
            if id == ancestor { return true }
            current = parents[id]
        }
        return false
    }

    mutating func injectFault(_ step: Int) {
        let kind = random.pick(FaultKind.allCases)
        var fault = ActiveFault(kind: kind, members: [random.int(in: 0...(names.count - 1))], until: step + random.int(in: 2...40))
        switch kind {
        case .majorityPartition:
            fault.members = Array(random.shuffled(Array(names.indices)).prefix(names.count / 2 + 1)).sorted()
        case .delay:
            fault.delayMilliseconds = random.pick([300, 800, 1500, 3000])
        case .loss:
            fault.lossProbability = random.pick([0.2, 0.5, 0.9])
        case .clockStep:
            let delta = TimeInterval(random.pick([-120, -30, 30, 120]))
            clockErrors[fault.members[0]] += delta
            counts.faults[kind, default: 0] += 1
            trace.log(step, "\(names[fault.members[0]])'s clock steps \(delta > 0 ? "+" : "")\(Int(delta))s")
            return
        case .crash, .partition:
            break
        }
        faults.append(fault)
        counts.faults[kind, default: 0] += 1
        trace.log(step, "fault \(kind.rawValue) \(fault.members.map { names[$0] }.joined(separator: ",")) until t=\(fault.until)")
    }
}
