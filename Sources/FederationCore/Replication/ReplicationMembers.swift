import FederationAPI
import Foundation

/// The members a replication pass covers and why a pass would write nothing for lack of them,
/// shared by the ReplicationRule controller and `concord plan`.
public enum ReplicationMembers {
    /// The Datacenters `rule` selects (`spec.targets`), not being deleted and not `source`, by name.
    /// A Mesh pass passes no source: every selected member is a source and a target.
    public static func members(of rule: ReplicationRule, except source: String?, among datacenters: [Datacenter]) -> [Datacenter] {
        let selector = rule.spec.effectiveTargetSelector
        return datacenters
            .filter { $0.metadata.deletionTimestamp == nil && $0.metadata.name != source && selector.matches($0.metadata.labels) }
            .sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
    }

    /// Why a HubAndSpoke pass from `source` to `targets` (``members(of:except:among:)``) plans nothing:
    /// no target (NoTargets), or residency allows none of their regions (NoAllowedTargets); nil otherwise.
    public static func blocker(of rule: ReplicationRule, source: String, targets: [Datacenter]) -> ReplicationBlocker? {
        guard !targets.isEmpty else {
            return ReplicationBlocker(reason: ReplicationRule.Reason.noTargets, message: "No Datacenter but the source \(source) matches spec.targets.", terminal: false)
        }
        if let residency = rule.spec.residency, !targets.contains(where: { residency.allows(region: $0.spec.region) }) {
            return ReplicationBlocker(
                reason: ReplicationRule.Reason.noAllowedTargets,
                message: "residency.allowedRegions \(residency.allowedRegions) matches no target's region (\(targets.map(\.spec.region).joined(separator: ", "))); fix spec.residency or spec.targets.",
                terminal: true)
        }
        return nil
    }

    /// Why a Mesh pass over `members` plans nothing: fewer than two (NoTargets), or residency allows
    /// fewer than two of their regions (NoAllowedTargets); nil otherwise.
    public static func meshBlocker(of rule: ReplicationRule, members: [Datacenter]) -> ReplicationBlocker? {
        guard members.count > 1 else {
            return ReplicationBlocker(reason: ReplicationRule.Reason.noTargets, message: "Mesh needs two members matching spec.targets; \(members.count) match.", terminal: false)
        }
        if let residency = rule.spec.residency, members.filter({ residency.allows(region: $0.spec.region) }).count < 2 {
            return ReplicationBlocker(
                reason: ReplicationRule.Reason.noAllowedTargets,
                message: "residency.allowedRegions \(residency.allowedRegions) allows fewer than two members' regions (\(members.map(\.spec.region).joined(separator: ", "))); fix spec.residency or spec.targets.",
                terminal: true)
        }
        return nil
    }

    /// A rule whose label selectors kube-apiserver would refuse selects nothing it means to: why it
    /// stalls (InvalidSelector), or nil when its selectors are valid.
    public static func selectorBlocker(of rule: ReplicationRule) -> ReplicationBlocker? {
        let problems = rule.spec.selectorProblems
        guard !problems.isEmpty else { return nil }
        return ReplicationBlocker(
            reason: ReplicationRule.Reason.invalidSelector, message: LabelSelector.invalidMessage(problems), terminal: true)
    }

    /// The order a Mesh pass asks members' API discovery for the rule's kinds: the primary first, then by name.
    public static func discoveryOrder(_ members: [String], primary: String?) -> [String] {
        members.sorted { ($0 == primary ? 0 : 1, $0) < ($1 == primary ? 0 : 1, $1) }
    }
}
