import FederationAPI
import FederationCore
import Foundation
import Testing

@testable import ConcordCLI

/// `concord validate` refuses what the ReplicationRule controller refuses under a Mesh topology: a
/// rule with `conflictResolution: SourceWins` (the default), with the controller's own message.
struct ValidateMeshTests {
    private func problems(_ yaml: String, hubPolicies: [FederationPolicy] = []) -> [String] {
        let read = ManifestReader.documents(yaml, file: "f.yaml")
        let report = ManifestValidator().validate(read.documents, hubPolicies: hubPolicies)
        return (read.problems + report.problems).map(\.description)
    }

    private static func policy(_ name: String, topology: String) -> String {
        """
        apiVersion: federation.concord.dev/v1alpha1
        kind: FederationPolicy
        metadata: {name: \(name)}
        spec: {primary: us-east, topology: \(topology)}
        """
    }

    /// A rule in namespace shop; `resolution` adds `conflictResolution`.
    private static func rule(_ resolution: String? = nil) -> String {
        """
        apiVersion: federation.concord.dev/v1alpha1
        kind: ReplicationRule
        metadata: {name: settings, namespace: shop}
        spec:
          resources:
          - {apiVersion: v1, kind: ConfigMap}
        """ + (resolution.map { "\n  conflictResolution: \($0)" } ?? "")
    }

    /// What the controller says, from the shared check (``MeshReplication/refusal(of:policy:)``).
    private static func refusal(policy: String) throws -> String {
        let rule = ReplicationRule(metadata: ObjectMeta(name: "settings", namespace: "shop"), spec: ReplicationRuleSpec(resources: []))
        return try #require(MeshReplication.refusal(of: rule, policy: policy)).message
    }

    @Test func sourceWinsUnderAMeshPolicyIsReportedWithTheControllersMessage() throws {
        let yaml = Self.policy("global", topology: "Mesh") + "\n---\n" + Self.rule("SourceWins")
        #expect(problems(yaml) == [#"f.yaml:12: spec.conflictResolution: Invalid value: "SourceWins": "# + (try Self.refusal(policy: "global"))])
        #expect(try Self.refusal(policy: "global").hasPrefix("FederationPolicy global has topology Mesh"))
    }

    @Test func theDefaultIsSourceWinsAndIsReportedOnSpec() throws {
        let yaml = Self.policy("global", topology: "Mesh") + "\n---\n" + Self.rule()
        #expect(problems(yaml) == [#"f.yaml:9: spec.conflictResolution: Invalid value: "SourceWins" (the default): "# + (try Self.refusal(policy: "global"))])
    }

    @Test(arguments: ["LastWriterWins", "TargetWins", "Manual"])
    func otherStrategiesRunInMesh(_ resolution: String) {
        #expect(problems(Self.policy("global", topology: "Mesh") + "\n---\n" + Self.rule(resolution)) == [])
    }

    @Test func sourceWinsIsFineUnderHubAndSpokeOrWithoutAPolicy() {
        #expect(problems(Self.policy("global", topology: "HubAndSpoke") + "\n---\n" + Self.rule("SourceWins")) == [])
        #expect(problems(Self.rule("SourceWins")) == [])
    }

    @Test func theTopologyInForceIsTheFirstPolicysByName() {
        // As the controller reads it: "a-policy" (HubAndSpoke) comes first, so the Mesh one is not in force.
        let yaml = Self.policy("b-policy", topology: "Mesh") + "\n---\n" + Self.policy("a-policy", topology: "HubAndSpoke") + "\n---\n" + Self.rule()
        #expect(problems(yaml) == [])
    }

    @Test func theHubsPoliciesCountAndTheManifestsReplaceThem() throws {
        let hubMesh = FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(topology: .mesh, primary: "us-east"))
        #expect(problems(Self.rule("SourceWins"), hubPolicies: [hubMesh]) == [
            #"f.yaml:7: spec.conflictResolution: Invalid value: "SourceWins": "# + (try Self.refusal(policy: "global")),
        ])
        let applied = Self.policy("global", topology: "HubAndSpoke") + "\n---\n" + Self.rule("SourceWins")
        #expect(problems(applied, hubPolicies: [hubMesh]) == [], "the manifest's policy of the same name is what applying leaves at the hub")
    }
}
