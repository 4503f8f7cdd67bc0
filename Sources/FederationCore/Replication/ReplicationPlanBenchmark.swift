import FederationAPI
import Foundation

/// Times the replication planner in its steady state: every target already holds what a first
/// pass wrote, so a timed pass compares every object with every replica and writes nothing.
/// Shared by `concord plan-bench` and `replication-plan-bench` (hack/bench/replication-plan.sh).
public struct ReplicationPlanBenchmark: Sendable {
    /// The rule planned: ConfigMaps in `shop`.
    public let rule: ReplicationRule
    /// The source objects.
    public let sources: [ReplicaKey: JSONValue]
    /// The targets, every replica in sync.
    public let targets: [ReplicationTargetView]
    /// The planning time.
    public let now: Date

    /// Builds `objects` ConfigMaps (64-byte values, one label) and `targets` targets holding their
    /// replicas, planned at `now` (by default a fixed time, so digests compare across runs).
    public init(objects: Int, targets: Int, now: Date = Date(timeIntervalSince1970: 1_780_000_000)) {
        rule = ReplicationRule(
            metadata: ObjectMeta(name: "bench", namespace: "shop"),
            spec: ReplicationRuleSpec(resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap")]))
        self.now = now
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
        self.sources = sources
        let first = planReplication(rule: rule, source: "src", epoch: 1, sources: sources, targets: [ReplicationTargetView(datacenter: "t", region: "r", objects: [:])], now: now)
        var replicas: [ReplicaKey: JSONValue] = [:]
        for case .create(let write) in first.targets[0].effects { replicas[write.key] = write.object }
        self.targets = (0..<targets).map { t in
            ReplicationTargetView(datacenter: "target-\(t)", region: "r-\(t)", objects: replicas.mapValues { replica in
                var stored = replica
                stored["metadata"]?["uid"] = .string("target-\(t)-\(ReplicaContent.name(of: replica))")
                stored["metadata"]?["resourceVersion"] = "1"
                return stored
            })
        }
    }

    /// One planning pass with `hash` and `sync`.
    public func plan(hash: @escaping (JSONValue) -> String = ReplicaContent.hash(of:), sync: ReplicaSyncMemo? = nil) -> ReplicationPlan {
        planReplication(rule: rule, source: "src", epoch: 1, sources: sources, targets: targets, now: now, hash: hash, sync: sync)
    }

    /// Times `runs` passes with every replica read and judged, as a rule's first pass plans (a replica
    /// holding its source's content is compared with it; any other is hashed), then `runs` as the controller plans:
    /// hashes remembered by uid and resourceVersion, and replicas found in sync remembered (the first
    /// of those passes finds them); one line each with the best and the median, then a line with the
    /// digests of the steady plan and of the mixed one (``mixedDigest()``). Throws when a pass writes,
    /// or when two passes over the same inputs plan differently.
    public func report(runs: Int) throws -> [String] {
        let memo = ContentHashMemo()
        let variants: [(String, (JSONValue) -> String, ReplicaSyncMemo?)] = [
            ("every replica read and judged (a rule's first pass)", ReplicaContent.hash(of:), nil),
            ("hashes and in-sync replicas remembered (as the controller plans)", memo.hash, memo.sync),
        ]
        var digests: Set<String> = []
        let lines = try variants.map { label, hash, sync in
            let times = try timed(runs) {
                memo.nextPass()
                let plan = plan(hash: hash, sync: sync)
                digests.insert(ReplicationPlanDigest.digest(of: [plan]))
                return plan
            }
            let pairs = Double(max(1, sources.count * targets.count))
            let perPair = String(format: "%.0f ns", Double(times[0].components.attoseconds) / 1e9 / pairs + Double(times[0].components.seconds) * 1e9 / pairs)
            return "replication plan, \(sources.count) objects × \(targets.count) targets, all in sync, \(label): best \(Self.ms(times[0])) (\(perPair) per object and target), median \(Self.ms(times[times.count / 2])) over \(runs) runs"
        }
        guard digests.count == 1, let steady = digests.first else { throw PlanDigestMismatch(digests: digests.sorted()) }
        return lines + ["replication plan, \(sources.count) objects × \(targets.count) targets: digest \(steady) (all in sync), \(try mixedDigest()) (mixed)"]
    }

    /// Sorted durations of `runs` plans; each must find every target in sync.
    func timed(_ runs: Int, _ plan: () -> ReplicationPlan) throws -> [Duration] {
        let clock = ContinuousClock()
        var times: [Duration] = []
        for _ in 0..<runs {
            let started = clock.now
            let result = plan()
            times.append(clock.now - started)
            guard result.targets.allSatisfy({ $0.inSync == sources.count && $0.effects.isEmpty }) else { throw PlannerWroteError() }
        }
        return times.sorted()
    }

    static func ms(_ d: Duration) -> String {
        String(format: d < .milliseconds(1) ? "%.3f ms" : "%.1f ms", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }
}

/// A timed pass planned writes to targets that were all in sync.
public struct PlannerWroteError: Error, CustomStringConvertible {
    /// The one-line message.
    public var description: String { "the planner wrote to in-sync targets" }
}
