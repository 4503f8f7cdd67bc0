import ArgumentParser
import FederationAPI
import FederationCore
import Foundation

/// `concord plan-bench`: times the pure replication planner on generated objects (for
/// `hack/bench/replication-plan.sh`; hidden from help).
struct PlanBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan-bench", abstract: "Time replication planning: OBJECTS source objects into TARGETS targets, every replica in sync.",
        shouldDisplay: false)

    @Option(help: "Source objects.") var objects = 100_000
    @Option(help: "Target datacenters.") var targets = 10
    @Option(help: "Timed runs (the best and the median are printed).") var runs = 5

    func validate() throws {
        if objects < 1 || targets < 1 || runs < 1 { throw ValidationError("--objects, --targets and --runs must be at least 1") }
    }

    func run() throws {
        let rule = ReplicationRule(
            metadata: ObjectMeta(name: "bench", namespace: "shop"),
            spec: ReplicationRuleSpec(resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap")]))
        let now = Date()
        var sources: [ReplicaKey: JSONValue] = [:]
        for i in 0..<objects {
            let name = "object-\(i)"
            sources[ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: name)] = [
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": [
                    "name": .string(name), "namespace": "shop", "uid": .string("uid-\(i)"), "resourceVersion": .string("\(i + 1)"), "labels": ["scope": "global"],
                ],
                "data": ["value": .string(String(repeating: "x", count: 64)), "index": .string("\(i)")],
            ]
        }
        // Targets hold what a first pass writes, so the timed passes compare everything and write nothing.
        let first = planReplication(rule: rule, source: "src", epoch: 1, sources: sources, targets: [ReplicationTargetView(datacenter: "t", region: "r", objects: [:])], now: now)
        var replicas: [ReplicaKey: JSONValue] = [:]
        for case .create(let write) in first.targets[0].effects { replicas[write.key] = write.object }
        let views = (0..<targets).map { t in
            ReplicationTargetView(datacenter: "target-\(t)", region: "r-\(t)", objects: replicas.mapValues { replica in
                var stored = replica
                stored["metadata"]?["uid"] = .string("target-\(t)-\(ReplicaContent.name(of: replica))")
                stored["metadata"]?["resourceVersion"] = "1"
                return stored
            })
        }
        let ms = { (d: Duration) in String(format: "%.1f ms", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15) }
        let memo = ContentHashMemo()
        for (label, hash) in [("every hash computed", ReplicaContent.hash(of:)), ("hashes remembered by uid and resourceVersion", memo.hash)] {
            let times = try timed(runs) {
                memo.nextPass()
                return planReplication(rule: rule, source: "src", epoch: 1, sources: sources, targets: views, now: now, hash: hash)
            }
            print("replication plan, \(objects) objects × \(targets) targets, all in sync, \(label): best \(ms(times[0])), median \(ms(times[times.count / 2])) over \(runs) runs")
        }
    }

    /// Sorted durations of `runs` plans; each must find every target in sync.
    func timed(_ runs: Int, _ plan: () -> ReplicationPlan) throws -> [Duration] {
        let clock = ContinuousClock()
        var times: [Duration] = []
        for _ in 0..<runs {
            let started = clock.now
            let result = plan()
            times.append(clock.now - started)
            guard result.targets.allSatisfy({ $0.inSync == objects && $0.effects.isEmpty }) else { throw ValidationError("the planner wrote to in-sync targets") }
        }
        return times.sorted()
    }
}
