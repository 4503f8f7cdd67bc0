import FederationAPI
import Foundation
import Testing

/// Defaults are documented once (docs/resources.md) and must hold twice: as `default:` in the CRD schema
/// (the API server fills them) and in the Swift effective-value accessors (for objects decoded
/// without them). A spec decoded with or without server defaulting behaves the same.
struct DefaultsTests {
    /// The documented defaults, by kind and schema path.
    static let documented: [String: [String: JSONValue]] = [
        "Datacenter": [
            ".spec.mode": "Push", ".spec.priority": 100, ".spec.unschedulable": false,
            ".spec.credentialsRef.namespace": "concord-system", ".spec.credentialsRef.key": "kubeconfig",
            ".spec.healthCheck": [:], ".spec.healthCheck.periodSeconds": 1, ".spec.healthCheck.timeoutSeconds": 1,
            ".spec.healthCheck.failureThreshold": 3, ".spec.healthCheck.successThreshold": 2,
        ],
        "FederationPolicy": [
            ".spec.topology": "HubAndSpoke", ".spec.failback": "Manual", ".spec.stabilizationSeconds": 120,
            ".spec.promotion": [:], ".spec.promotion.mode": "Automatic", ".spec.promotion.unreachableForSeconds": 30,
            ".spec.promotion.requireQuorum": true,
        ],
        "ReplicationRule": [
            ".spec.source": "Primary", ".spec.mode": "Continuous", ".spec.intervalSeconds": 30, ".spec.fullResyncSeconds": 1800,
            ".spec.conflictResolution": "SourceWins", ".spec.deletion": "Propagate",
        ],
        "ServiceFailover": [
            ".spec.workload": [:], ".spec.workload.apiVersion": "apps/v1", ".spec.workload.kind": "Deployment", ".spec.mode": "ActivePassive",
            ".spec.placement.minDatacenters": 1,
            ".spec.policy": [:], ".spec.policy.mode": "Automatic", ".spec.policy.unhealthyForSeconds": 5,
            ".spec.policy.minReadyReplicas": 1, ".spec.policy.failback": "Manual", ".spec.policy.stabilizationSeconds": 120,
            ".spec.policy.minLocalReadyReplicas": 1,
            ".spec.migration": [:], ".spec.migration.readinessTimeoutSeconds": 300,
        ],
    ]

    @Test(arguments: KindCase.all)
    func schemaDefaultsAreExactlyTheDocumentedOnes(_ c: KindCase) {
        var found: [String: JSONValue] = [:]
        for (path, node) in SchemaWalker.nodes(of: c.crd.schema.json) {
            if let d = node["default"] { found[path] = d }
        }
        #expect(found == Self.documented[c.kind])
    }

    @Test func minimalDatacenterGetsDocumentedDefaults() throws {
        let dc = try JSONValue.object(["spec": ["region": "us-east-1"]]).decode(Datacenter.self)
        #expect(dc.spec.effectiveMode == .push)
        #expect(dc.spec.effectivePriority == 100)
        #expect(dc.spec.effectiveUnschedulable == false)
        #expect(dc.spec.effectiveHealthCheck == EffectiveHealthCheck(periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 2))
        #expect(dc.spec.effectiveHealthCheck == .defaults)
        let ref = try JSONValue.object(["name": "k"]).decode(SecretKeyReference.self)
        #expect(ref.effectiveNamespace == "concord-system")
        #expect(ref.effectiveKey == "kubeconfig")
    }

    @Test func minimalFederationPolicyGetsDocumentedDefaults() throws {
        let fp = try JSONValue.object(["spec": ["primary": "us-east"]]).decode(FederationPolicy.self)
        #expect(fp.spec.effectiveTopology == .hubAndSpoke)
        #expect(fp.spec.effectiveFailback == .manual)
        #expect(fp.spec.effectiveStabilizationSeconds == 120)
        #expect(fp.spec.effectivePromotion == PromotionSpec(mode: .automatic, unreachableForSeconds: 30, candidates: nil, requireQuorum: true))
        #expect(fp.spec.effectivePromotion.effectiveCandidates == [])
        #expect(fp.spec.effectiveDatacenterSelector.matches(["any": "labels"]))
    }

    @Test func minimalReplicationRuleGetsDocumentedDefaults() throws {
        let rr = try JSONValue.object(["spec": ["resources": [["apiVersion": "v1", "kind": "ConfigMap"]]]]).decode(ReplicationRule.self)
        #expect(rr.spec.effectiveSource == .primary)
        #expect(rr.spec.effectiveMode == .continuous)
        #expect(rr.spec.effectiveIntervalSeconds == 30)
        #expect(rr.spec.effectiveFullResyncSeconds == 1800)
        #expect(rr.spec.effectiveConflictResolution == .sourceWins)
        #expect(rr.spec.effectiveDeletion == .propagate)
        #expect(rr.spec.effectiveTargetSelector == LabelSelector())
    }

    @Test func minimalServiceFailoverGetsDocumentedDefaults() throws {
        let sf = try JSONValue.object([
            "spec": ["service": "payment-api", "primary": "us-east", "failover": [["datacenter": "us-west"]]]
        ]).decode(ServiceFailover.self)
        #expect(sf.spec.effectiveWorkload == WorkloadReference(apiVersion: "apps/v1", kind: "Deployment", name: "payment-api"))
        #expect(sf.spec.effectivePolicy == FailoverPolicy(mode: .automatic, unhealthyForSeconds: 5, minReadyReplicas: 1, failback: .manual, stabilizationSeconds: 120, minLocalReadyReplicas: 1))
        #expect(sf.spec.effectiveMigration == MigrationSpec(readinessTimeoutSeconds: 300))
    }

    /// Server-side defaulting then decoding must give the same effective values as decoding alone.
    @Test(arguments: KindCase.all, [SampleSize.minimal, .skeleton])
    func serverDefaultingChangesNoEffectiveValue(_ c: KindCase, _ size: SampleSize) throws {
        let raw = try c.sample(size)
        let defaulted = SchemaWalker.applyDefaults(raw, c.crd.schema.json)
        #expect(defaulted != raw, "defaulting should fill something in \(c.kind)")
        #expect(try Effective.snapshot(kind: c.kind, raw) == Effective.snapshot(kind: c.kind, defaulted))
    }

    @Test func effectiveValuesStayInsideTheSchemaBounds() {
        let hc = HealthCheckSpec(periodSeconds: 0, timeoutSeconds: 1000, failureThreshold: -3, successThreshold: 0).effective
        #expect(hc == EffectiveHealthCheck(periodSeconds: 1, timeoutSeconds: 60, failureThreshold: 1, successThreshold: 1))
        #expect(DatacenterSpec(region: "r", priority: 5000).effectivePriority == 1000)
        #expect(ReplicationRuleSpec(resources: [], intervalSeconds: 0, fullResyncSeconds: 1).effectiveIntervalSeconds == 1)
        #expect(ReplicationRuleSpec(resources: [], fullResyncSeconds: 1).effectiveFullResyncSeconds == 10)
        #expect(ReplicationRuleSpec(source: "Primary", resources: []).effectiveSource == .primary)
        #expect(ReplicationRuleSpec(source: "eu-central", resources: []).effectiveSource == .datacenter("eu-central"))
        #expect(EffectiveHealthCheck.defaults.period == .seconds(1))
    }
}

/// Every effective value of a kind, as one comparable JSON tree.
enum Effective {
    static func snapshot(kind: String, _ json: JSONValue) throws -> JSONValue {
        switch kind {
        case "Datacenter":
            let s = try json.decode(Datacenter.self).spec
            let hc = s.effectiveHealthCheck
            return [
                "mode": .string(s.effectiveMode.rawValue), "priority": .int(Int64(s.effectivePriority)),
                "unschedulable": .bool(s.effectiveUnschedulable),
                "credentials": s.credentialsRef.map { .string("\($0.effectiveNamespace)/\($0.name)/\($0.effectiveKey)") } ?? .null,
                "healthCheck": .string("\(hc.periodSeconds)/\(hc.timeoutSeconds)/\(hc.failureThreshold)/\(hc.successThreshold)"),
            ]
        case "FederationPolicy":
            let s = try json.decode(FederationPolicy.self).spec
            return [
                "topology": .string(s.effectiveTopology.rawValue), "failback": .string(s.effectiveFailback.rawValue),
                "stabilization": .int(Int64(s.effectiveStabilizationSeconds)), "promotion": try JSONValue(encoding: s.effectivePromotion),
                "selector": try JSONValue(encoding: s.effectiveDatacenterSelector),
            ]
        case "ReplicationRule":
            let s = try json.decode(ReplicationRule.self).spec
            return [
                "source": .string("\(s.effectiveSource)"), "mode": .string(s.effectiveMode.rawValue),
                "interval": .int(Int64(s.effectiveIntervalSeconds)), "fullResync": .int(Int64(s.effectiveFullResyncSeconds)),
                "conflicts": .string(s.effectiveConflictResolution.rawValue), "deletion": .string(s.effectiveDeletion.rawValue),
                "targets": try JSONValue(encoding: s.effectiveTargetSelector),
            ]
        case "ServiceFailover":
            let s = try json.decode(ServiceFailover.self).spec
            return [
                "workload": try JSONValue(encoding: s.effectiveWorkload), "policy": try JSONValue(encoding: s.effectivePolicy),
                "migration": try JSONValue(encoding: s.effectiveMigration),
            ]
        default:
            throw YAML.Failure(description: "unknown kind \(kind)")
        }
    }
}
