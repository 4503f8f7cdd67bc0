import FederationAPI
import Foundation

/// Where residency lets an object land.
public enum ReplicationResidency {
    /// True when the rule's `residency.allowedRegions` (if any) match `region`, and the object's
    /// `federation.concord.dev/residency` label (if any) is a prefix of `region`.
    public static func allows(_ object: JSONValue, rule: ReplicationRule, region: String) -> Bool {
        if let residency = rule.spec.residency, !residency.allows(region: region) { return false }
        return labelAllows(object, region: region)
    }

    /// True when the object has no `federation.concord.dev/residency` label, or it is a prefix of `region`.
    public static func labelAllows(_ object: JSONValue, region: String) -> Bool {
        guard let restriction = ReplicaContent.labels(of: object)[FederationLabel.residency], !restriction.isEmpty else { return true }
        return region.hasPrefix(restriction)
    }
}
