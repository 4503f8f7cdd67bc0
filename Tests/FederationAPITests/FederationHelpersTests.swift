import FederationAPI
import Foundation
import Testing

/// Small helpers on the federation types: fencing marker, residency, resource matching, names.
struct FederationHelpersTests {
    @Test func fencingMarkerRoundTripsThroughItsConfigMap() {
        let marker = FencingMarker(policy: "global", primary: "us-west", epoch: 4)
        let cm = marker.configMap
        #expect(cm.metadata.name == "concord-federation")
        #expect(cm.metadata.namespace == "concord-system")
        #expect(cm.data == ["policy": "global", "primary": "us-west", "epoch": "4"])
        #expect(cm.metadata.labels?[FederationLabel.managed] == "true")
        #expect(FencingMarker(configMap: cm) == marker)
    }

    @Test(arguments: [
        ["policy": "global", "primary": "us-west"],
        ["policy": "global", "primary": "us-west", "epoch": "four"],
        ["primary": "us-west", "epoch": "4"],
    ])
    func incompleteMarkersAreNotMarkers(_ data: [String: String]) {
        #expect(FencingMarker(configMap: ConfigMap(metadata: ObjectMeta(name: "concord-federation"), data: data)) == nil)
    }

    @Test(arguments: [
        "eu-* ~ eu-central-1", "eu-* !~ us-east-1", "eu-central-1 ~ eu-central-1", "* ~ anything", "eu-*-1 ~ eu-west-1",
        "eu-*-1 !~ eu-west-2", "*-1 ~ us-east-1", "eu !~ eu-central-1", "** ~ x", "*central* ~ eu-central-1",
    ])
    func residencyPatterns(_ rule: String) {
        let parts = rule.split(separator: " ").map(String.init)
        #expect(Residency(allowedRegions: [parts[0]]).allows(region: parts[2]) == (parts[1] == "~"))
    }

    @Test func residencyAllowsWhenAnyPatternMatches() {
        let r = Residency(allowedRegions: ["eu-*", "ch-*"])
        #expect(r.allows(region: "ch-zurich"))
        #expect(!r.allows(region: "us-east-1"))
        #expect(!Residency(allowedRegions: []).allows(region: "eu-central-1"))
    }

    @Test func replicatedResourceMatchesByPrefixAndLabels() {
        let byPrefix = ReplicatedResource(apiVersion: "v1", kind: "Secret", namePrefix: "global-")
        #expect(byPrefix.matches(name: "global-tls", labels: nil, namespace: "shop"))
        #expect(!byPrefix.matches(name: "local-tls", labels: nil, namespace: "shop"))
        let byLabel = ReplicatedResource(apiVersion: "v1", kind: "ConfigMap", selector: LabelSelector(matchLabels: ["scope": "global"]))
        #expect(byLabel.matches(name: "flags", labels: ["scope": "global"], namespace: "shop"))
        #expect(!byLabel.matches(name: "flags", labels: ["scope": "local"], namespace: "shop"))
    }

    @Test func wellKnownNames() {
        #expect(FederationFinalizer.cleanup == "federation.concord.dev/cleanup")
        #expect(Datacenter.finalizer == FederationFinalizer.cleanup)
        let keys = [
            FederationAnnotation.sourceDatacenter, FederationAnnotation.sourceRevision, FederationAnnotation.epoch,
            FederationAnnotation.contentHash, FederationAnnotation.rule, FederationAnnotation.hybridLogicalClock,
            FederationLabel.residency, FederationLabel.serviceFailover, FederationLabel.datacenter, FederationLabel.managed,
        ]
        #expect(keys.allSatisfy { $0.hasPrefix(FederationGroup.prefix) })
        #expect(FederationAnnotation.sourceDatacenter == "federation.concord.dev/source-datacenter")
        #expect(FederationLabel.residency == "federation.concord.dev/residency")
        #expect(ServiceFailover.globalServiceName(for: "payment-api") == "payment-api-global")
        #expect(Samples.fullReplicationRule.ruleAnnotationValue == "shop/global-config")
    }

    @Test func conditionTypeNamesFollowTheDesign() {
        #expect([Datacenter.ConditionType.registered, Datacenter.ConditionType.reachable, Datacenter.ConditionType.ready] == ["Registered", "Reachable", "Ready"])
        #expect([FederationPolicy.ConditionType.primaryAvailable, FederationPolicy.ConditionType.promoting, FederationPolicy.ConditionType.splitBrainDetected]
            == ["PrimaryAvailable", "Promoting", "SplitBrainDetected"])
        #expect([ReplicationRule.ConditionType.synced, ReplicationRule.ConditionType.conflictsDetected, ReplicationRule.ConditionType.residencyBlocked]
            == ["Synced", "ConflictsDetected", "ResidencyBlocked"])
        #expect([ServiceFailover.ConditionType.available, ServiceFailover.ConditionType.failedOver, ServiceFailover.ConditionType.progressing]
            == ["Available", "FailedOver", "Progressing"])
        #expect([CommonConditionType.ready, CommonConditionType.reconciling, CommonConditionType.stalled] == ["Ready", "Reconciling", "Stalled"])
    }

    @Test func conditionReasonsAreValidKubernetesReasons() throws {
        let reasons = [
            Datacenter.Reason.connected, Datacenter.Reason.probeSucceeded, Datacenter.Reason.healthy, Datacenter.Reason.suspect,
            Datacenter.Reason.recovering, Datacenter.Reason.leaseExpired, FederationPolicy.Reason.primaryUnreachable,
            FederationPolicy.Reason.quorumLost, ReplicationRule.Reason.manualResolutionRequired, ServiceFailover.Reason.noFittingTarget,
            CommonReason.cleanupTimedOut,
        ]
        for reason in reasons {
            #expect(reason.range(of: JSONSchemaProps.conditionReasonPattern, options: .regularExpression) != nil, "\(reason)")
        }
    }

    @Test func typedSourceOfAReplicationRule() {
        #expect(ReplicationRuleSpec(resources: []).effectiveSource == .primary)
        #expect(ReplicationRuleSpec(source: "us-west", resources: []).effectiveSource == .datacenter("us-west"))
    }
}
