import Foundation
import KubernetesAPI

// Every federation kind publishes `observedGeneration` and `conditions`.
extension DatacenterStatus: ConditionedStatus {}
extension FederationPolicyStatus: ConditionedStatus {}
extension ReplicationRuleStatus: ConditionedStatus {}
extension ServiceFailoverStatus: ConditionedStatus {}
