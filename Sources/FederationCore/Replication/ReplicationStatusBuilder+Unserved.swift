import FederationAPI
import Foundation

/// Targets that do not serve a kind the rule replicates: each is Blocked with the kinds to install
/// there, and Synced (and so Ready) is False with reason `KindNotServed` naming them.
extension ReplicationStatusBuilder {
    /// The status of each target in `round.unserved`, over its previous status.
    static func unservedTargets(_ round: ReplicationRound, previous: ReplicationRuleStatus) -> [ReplicationTargetStatus] {
        round.unserved.keys.sorted().map { name in
            var t = previous.targets.first { $0.datacenter == name } ?? ReplicationTargetStatus(datacenter: name)
            t.state = .blocked
            t.message = unservedMessage([name], kinds: round.unserved[name] ?? [])
            return t
        }
    }

    /// Synced=False, `KindNotServed`, naming the targets that lack kinds and what to install; nil when none does.
    static func unservedCondition(_ round: ReplicationRound, c: Conditions) -> Condition? {
        guard !round.unserved.isEmpty else { return nil }
        let groups = Dictionary(grouping: round.unserved.keys.sorted()) { round.unserved[$0] ?? [] }
        let messages = groups.sorted { $0.value[0] < $1.value[0] }.map { unservedMessage($0.value, kinds: $0.key) }
        return c.make(T.synced, .false, R.kindNotServed, messages.joined(separator: " "))
    }

    /// "us-west does not serve example.com/v1 Widget (widgets); replicate its CustomResourceDefinition there first, …".
    static func unservedMessage(_ datacenters: [String], kinds: [String]) -> String {
        let one = kinds.count == 1
        return "\(datacenters.joined(separator: ", ")) \(datacenters.count == 1 ? "does" : "do") not serve \(kinds.joined(separator: ", ")); "
            + "replicate \(one ? "its CustomResourceDefinition" : "their CustomResourceDefinitions") there first, "
            + "e.g. with a ReplicationRule in \(FederationGroup.systemNamespace)."
    }
}
