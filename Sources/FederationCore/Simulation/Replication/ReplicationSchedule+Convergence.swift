import FederationAPI
import Foundation

extension ReplicationSchedule {
    /// After the heal: records when every member first held its final copies, and from
    /// ``ReplicationSimulation/settleBound`` steps after the heal on, reports any member that does not.
    mutating func checkConvergence(_ step: Int) -> ReplicationViolation? {
        guard step >= config.healStep else { return nil }
        counts.checks += 1
        let problem = divergence()
        if problem == nil, counts.maxSettledAfter == nil {
            counts.maxSettledAfter = step - config.healStep
            trace.log(step, "every member holds its final copies")
        }
        guard let problem, step >= config.healStep + ReplicationSimulation.settleBound else { return nil }
        return ReplicationViolation(
            invariant: .convergeAfterHeal, step: step, detail: "\(ReplicationSimulation.settleBound)+ steps after the heal: \(problem)")
    }

    /// The first object some member holds other than it should, described; nil when none.
    func divergence() -> String? {
        for key in keys {
            let outside = names.indices.filter { !allowed($0, key) && isReplica(stores[$0].objects[key]) }
            if let i = outside.first { return "\(names[i]) (\(regions[i])) holds \(key.name) outside its residency" }
            if topology == .hubAndSpoke {
                let expected = Self.writeID(stores[source].objects[key])
                for i in names.indices where i != source && allowed(i, key) {
                    let held = Self.writeID(stores[i].objects[key])
                    if held != expected { return "\(names[i]) holds \(key.name) \(held ?? "none"), the source \(names[source]) \(expected ?? "none")" }
                }
            } else {
                let members = names.indices.filter { allowed($0, key) }
                let copies = members.map { (Self.writeID(stores[$0].objects[key]), ReplicaStamp.clock(of: stores[$0].objects[key] ?? .null)) }
                if let first = copies.first, let differing = copies.firstIndex(where: { $0 != first }) {
                    let describe = { (c: (String?, HLCTimestamp?)) in "\(c.0 ?? "none")@\(c.1?.description ?? "-")" }
                    return "\(key.name): \(names[members[0]]) holds \(describe(first)), \(names[members[differing]]) \(describe(copies[differing]))"
                }
            }
        }
        return nil
    }

    /// True for a copy the rule wrote.
    func isReplica(_ object: JSONValue?) -> Bool {
        object.map { ReplicaStamp(of: $0).rule == rule.ruleAnnotationValue } ?? false
    }
}
