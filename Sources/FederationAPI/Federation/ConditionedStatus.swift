import Foundation
import KubernetesAPI

/// A status with the two fields every federation kind publishes: `observedGeneration` and
/// `conditions`. Lets condition and kstatus code work on any of the four kinds.
public protocol ConditionedStatus: Codable, Hashable, Sendable {
    /// The `metadata.generation` the status was computed from.
    var observedGeneration: Int64? { get set }
    /// The conditions, keyed by type.
    var conditions: [Condition] { get set }
}

extension DatacenterStatus: ConditionedStatus {}
extension FederationPolicyStatus: ConditionedStatus {}
extension ReplicationRuleStatus: ConditionedStatus {}
extension ServiceFailoverStatus: ConditionedStatus {}
