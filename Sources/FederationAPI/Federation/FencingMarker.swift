import Foundation
import KubernetesAPI

/// The fencing marker every member holds: ConfigMap `concord-system/concord-federation` with the
/// policy, the primary and the epoch in force. A member whose marker holds an older epoch is
/// demoted before anything it writes is trusted.
public struct FencingMarker: Hashable, Sendable {
    /// `concord-federation`.
    public static let name = "concord-federation"
    /// `concord-system`.
    public static let namespace = FederationGroup.systemNamespace
    /// Data key of the policy name.
    public static let policyKey = "policy"
    /// Data key of the primary's name.
    public static let primaryKey = "primary"
    /// Data key of the epoch (decimal).
    public static let epochKey = "epoch"

    /// The FederationPolicy that wrote the marker.
    public var policy: String
    /// The primary in force when it was written.
    public var primary: String
    /// The epoch in force when it was written.
    public var epoch: Int64

    /// Creates a marker.
    public init(policy: String, primary: String, epoch: Int64) {
        self.policy = policy
        self.primary = primary
        self.epoch = epoch
    }

    /// Reads a marker from its ConfigMap; nil when a key is missing or the epoch is not a number.
    public init?(configMap: ConfigMap) {
        guard let data = configMap.data, let policy = data[Self.policyKey], let primary = data[Self.primaryKey],
            let epochText = data[Self.epochKey], let epoch = Int64(epochText)
        else { return nil }
        self.init(policy: policy, primary: primary, epoch: epoch)
    }

    /// The ConfigMap that carries the marker, labelled as managed by Concord.
    public var configMap: ConfigMap {
        ConfigMap(
            metadata: ObjectMeta(name: Self.name, namespace: Self.namespace, labels: [FederationLabel.managed: "true"]),
            data: [Self.policyKey: policy, Self.primaryKey: primary, Self.epochKey: String(epoch)]
        )
    }
}
