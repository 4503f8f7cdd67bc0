import FederationAPI
import Foundation

extension ReplicationPlanBenchmark {
    /// The benchmark's sources and targets with every kind of difference planted (not timed; its
    /// plan's digest shows that every decision stays the same): per target, some replicas missing,
    /// edited in the member, stamped by an older source revision, missing a label, written by another
    /// rule, or unstamped with the source's content; objects the source lacks, stamped by the rule or
    /// by none; and sources whose residency label keeps them out of most targets.
    public func mixed() -> (sources: [ReplicaKey: JSONValue], targets: [ReplicationTargetView]) {
        let order = sources.keys.sorted()
        var sources = self.sources
        for (i, key) in order.enumerated() where i % 37 == 7 {
            sources[key]?["metadata"]?["labels"]?[FederationLabel.residency] = "r-1"
        }
        let targets = self.targets.enumerated().map { t, view in
            var view = view
            for (i, key) in order.enumerated() {
                switch (i + t) % 53 {
                case 1: view.objects[key] = nil
                case 2: view.objects[key]?["data"]?["value"] = .string("edited in \(view.datacenter)")
                case 3: view.objects[key]?["metadata"]?["annotations"]?[FederationAnnotation.sourceRevision] = "0"
                case 4: view.objects[key]?["metadata"]?["labels"] = nil
                case 5: view.objects[key]?["metadata"]?["annotations"]?[FederationAnnotation.rule] = "shop/other"
                case 6: view.objects[key]?["metadata"]?["annotations"] = nil
                default: continue
                }
                view.objects[key]?["metadata"]?["resourceVersion"] = "2"
            }
            for j in 0..<max(1, order.count / 100) {
                let name = "extra-\(t)-\(j)"
                var extra: JSONValue = [
                    "apiVersion": "v1", "kind": "ConfigMap", "data": ["value": .string(name)],
                    "metadata": ["name": .string(name), "namespace": "shop", "uid": .string("uid-\(name)"), "resourceVersion": "1"],
                ]
                if j % 2 == 0 { extra["metadata"]?["annotations"] = .object([FederationAnnotation.rule: .string(rule.ruleAnnotationValue)]) }
                view.objects[ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: name)] = extra
            }
            return view
        }
        return (sources, targets)
    }

    /// The digest of the mixed plan with every hash computed, then with a memo cold and warm (after a
    /// steady pass of the benchmark's own targets, so most remembered verdicts meet changed replicas);
    /// throws unless all are equal.
    public func mixedDigest() throws -> String {
        let (sources, targets) = mixed()
        let memo = ContentHashMemo()
        let plain = planReplication(rule: rule, source: "src", epoch: 1, sources: sources, targets: targets, now: now)
        var digests = [ReplicationPlanDigest.digest(of: [plain])]
        for steadyFirst in [false, true, false] {
            memo.nextPass()
            if steadyFirst { _ = plan(hash: memo.hash, sync: memo.sync) }
            let remembered = planReplication(rule: rule, source: "src", epoch: 1, sources: sources, targets: targets, now: now, hash: memo.hash, sync: memo.sync)
            digests.append(ReplicationPlanDigest.digest(of: [remembered]))
        }
        guard Set(digests).count == 1 else { throw PlanDigestMismatch(digests: digests) }
        return digests[0]
    }
}

/// Passes over the same inputs planned differently.
public struct PlanDigestMismatch: Error, CustomStringConvertible {
    /// The digests, in the order planned.
    public var digests: [String]
    /// The one-line message.
    public var description: String { "passes over the same inputs planned differently (digests \(digests.joined(separator: ", ")))" }
}
