import FederationAPI
import Foundation

extension ReplicationPlanBenchmark {
    /// Times passes fed the changes since the previous pass (``ReplicationChanges``), as the controller
    /// plans: `runs` passes with nothing changed, then `runs` passes each after `written` source
    /// objects were written, which also read back the previous pass's replica writes as they landed
    /// in the targets. One line each with the best and the median. Throws when a pass plans anything
    /// but one update per written object and target.
    public func reportFed(runs: Int, written: Int) throws -> [String] {
        let memo = ContentHashMemo()
        var sources = self.sources, targets = self.targets
        let order = sources.keys.sorted()
        let written = min(written, order.count)
        let everyTarget = Dictionary(uniqueKeysWithValues: targets.map { ($0.datacenter, Set<ReplicaKey>()) })
        func plan(_ changes: ReplicationChanges?) -> ReplicationPlan {
            memo.nextPass()
            return planReplication(rule: rule, source: "src", epoch: 1, sources: sources, targets: targets, now: now, hash: memo.hash, sync: memo.sync, changes: changes)
        }
        // The first pass reads everything.
        guard plan(nil).targets.allSatisfy({ $0.inSync == sources.count && $0.effects.isEmpty }) else { throw PlannerWroteError() }
        let quiet = try timed(runs) { plan(ReplicationChanges(targets: everyTarget)) }

        let clock = ContinuousClock()
        var times: [Duration] = []
        var landed = everyTarget
        for run in 0..<runs {
            var changed = Set<ReplicaKey>()
            for i in 0..<written {
                let key = order[(run * written + i) % order.count]
                sources[key]?["data"]?["index"] = .string("run \(run)")
                sources[key]?["metadata"]?["resourceVersion"] = .string("\(order.count + run * written + i + 1)")
                changed.insert(key)
            }
            let started = clock.now
            let result = plan(ReplicationChanges(sources: changed, targets: landed))
            times.append(clock.now - started)
            landed = everyTarget
            for (t, target) in result.targets.enumerated() {
                guard target.effects.count == written, target.inSync == sources.count - written else { throw UnexpectedFedPlan(run: run, target: target.datacenter) }
                for case .update(let write) in target.effects {
                    var stored = write.object
                    stored["metadata"]?["uid"] = .string("target-\(t)-\(write.key.name)")
                    stored["metadata"]?["resourceVersion"] = .string("\(run + 2)")
                    targets[t].objects[write.key] = stored
                    landed[target.datacenter]?.insert(write.key)
                }
            }
        }
        times.sort()
        let size = "\(sources.count) objects × \(targets.count) targets, changes fed"
        return [
            "replication plan, \(size), nothing changed since the last pass: best \(Self.ms(quiet[0])), median \(Self.ms(quiet[quiet.count / 2])) over \(runs) runs",
            "replication plan, \(size), \(written) source objects written and the last pass's \(written * targets.count) replica writes read back: best \(Self.ms(times[0])), median \(Self.ms(times[times.count / 2])) over \(runs) runs, \(written * targets.count) updates planned per pass",
        ]
    }
}

/// A fed pass planned other than one update per written object and target.
public struct UnexpectedFedPlan: Error, CustomStringConvertible {
    /// The pass, from 0.
    public var run: Int
    /// The target planned wrongly.
    public var target: String
    /// The one-line message.
    public var description: String { "pass \(run) fed with changes planned other than one update per written object for \(target)" }
}
