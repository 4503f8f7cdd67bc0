import Foundation
import Testing

@testable import ConcordCLI

/// `concord validate`: problems found offline, with the line of the field that has them.
struct ValidateTests {
    /// Validates one text as the file `f.yaml`.
    private func problems(_ yaml: String, hub: [String: [String: String]]? = nil) -> [String] {
        let read = ManifestReader.documents(yaml, file: "f.yaml")
        let directory = hub.map { DatacenterDirectory(labels: $0, origin: "the hub") }
        let report = ManifestValidator().validate(read.documents, hubDatacenters: directory)
        return (read.problems + report.problems).map(\.description)
    }

    private let goodDatacenter = """
        apiVersion: federation.concord.dev/v1alpha1
        kind: Datacenter
        metadata:
          name: us-east
          labels: {geo: us}
        spec:
          region: us-east-1
          credentialsRef: {name: us-east-kubeconfig}
        """

    @Test func theSamplesPass() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let files = try ManifestReader.files(root.appendingPathComponent("manifests/samples").path)
        #expect(!files.isEmpty)
        for file in files {
            let read = ManifestReader.documents(try ManifestReader.text(of: file), file: file)
            let report = ManifestValidator().validate(read.documents)
            #expect(read.problems.isEmpty)
            #expect(report.problems.isEmpty, "\(report.problems)")
            #expect(report.checked > 0)
        }
    }

    @Test func aGoodDatacenterHasNoProblems() {
        #expect(problems(goodDatacenter) == [])
    }

    @Test func aWrongTypeIsReportedOnItsLine() {
        let yaml = goodDatacenter + "\n  priority: high\n"
        #expect(problems(yaml) == [#"f.yaml:9: spec.priority: Invalid value: "string": spec.priority in body must be of type integer: "string""#])
    }

    @Test func outOfRangeAndEnumProblemsAreAllReported() {
        let yaml = goodDatacenter + "\n  mode: Sideways\n  healthCheck:\n    periodSeconds: 0\n"
        #expect(problems(yaml) == [
            #"f.yaml:11: spec.healthCheck.periodSeconds: Invalid value: 0: spec.healthCheck.periodSeconds in body should be greater than or equal to 1"#,
            #"f.yaml:9: spec.mode: Unsupported value: "Sideways": supported values: "Push", "Pull""#,
        ])
    }

    @Test func anUnknownFieldIsAProblem() {
        let yaml = goodDatacenter + "\n  regoin: typo\n"
        #expect(problems(yaml) == ["f.yaml:9: spec.regoin: unknown field: Datacenter in federation.concord.dev/v1alpha1 has no such field"])
    }

    @Test func aMissingRequiredFieldIsPlacedOnItsParent() {
        let yaml = """
            apiVersion: federation.concord.dev/v1alpha1
            kind: FederationPolicy
            metadata: {name: global}
            spec:
              promotion: {mode: Automatic}
            """
        #expect(problems(yaml) == ["f.yaml:4: spec.primary: Required value"])
    }

    @Test func linesCountFromTheStartOfTheFileInEveryDocument() {
        let yaml = goodDatacenter + "\n---\n" + goodDatacenter.replacingOccurrences(of: "us-east-1", with: "us-east-1\n  zone: 7")
            .replacingOccurrences(of: "name: us-east\n", with: "name: us-east-2\n")
        #expect(problems(yaml) == [#"f.yaml:17: spec.zone: Invalid value: "integer": spec.zone in body must be of type string: "integer""#])
    }

    @Test func aBadNameIsReported() {
        let yaml = goodDatacenter.replacingOccurrences(of: "name: us-east\n", with: "name: US_East\n")
        let found = problems(yaml)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix(#"f.yaml:4: metadata.name: Invalid value: "US_East": a lowercase RFC 1123 subdomain"#) == true)
    }

    @Test func aPushDatacenterWithoutCredentialsIsReported() {
        let yaml = goodDatacenter.replacingOccurrences(of: "  credentialsRef: {name: us-east-kubeconfig}", with: "  mode: Push")
        #expect(problems(yaml) == [
            "f.yaml:6: spec.credentialsRef: Required value: required in Push mode: name a Secret holding a kubeconfig for the member"
        ])
        let pull = goodDatacenter.replacingOccurrences(of: "  credentialsRef: {name: us-east-kubeconfig}", with: "  mode: Pull")
        #expect(problems(pull) == [])
    }

    @Test func aReplicationRuleSelectorKubernetesWouldRefuseIsReported() {
        let yaml = """
            apiVersion: federation.concord.dev/v1alpha1
            kind: ReplicationRule
            metadata: {name: r, namespace: shop}
            spec:
              resources:
              - apiVersion: v1
                kind: ConfigMap
                selector:
                  matchExpressions:
                  - {key: tier, operator: In}
                  - {key: scope, operator: Exists, values: [global]}
              - {apiVersion: v1, kind: Secret, selector: {matchExpressions: [{key: a, operator: NotIn, values: [b]}]}}

            """
        #expect(problems(yaml) == [
            "f.yaml:10: spec.resources[0].selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
            "f.yaml:11: spec.resources[0].selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ])
    }

    @Test func aServiceFailoverPlacementSelectorKubernetesWouldRefuseIsReported() {
        let yaml = """
            apiVersion: federation.concord.dev/v1alpha1
            kind: ServiceFailover
            metadata: {name: web, namespace: shop}
            spec:
              service: web
              primary: us-east
              mode: ActiveActive
              replicas: 6
              placement:
                datacenterSelector: {matchExpressions: [{key: tier, operator: In}]}

            """
        #expect(problems(yaml) == [
            "f.yaml:10: spec.placement.datacenterSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        ])
    }

    @Test func aServiceFailoverThatMakesNoSenseForItsModeIsReported() {
        let yaml = """
            apiVersion: federation.concord.dev/v1alpha1
            kind: ServiceFailover
            metadata: {name: api, namespace: shop}
            spec:
              service: api
              primary: us-east
              replicas: 4
              failover:
              - {datacenter: us-east}
            ---
            apiVersion: federation.concord.dev/v1alpha1
            kind: ServiceFailover
            metadata: {name: web, namespace: shop}
            spec:
              service: web
              primary: us-east
              mode: ActiveActive
            ---
            apiVersion: federation.concord.dev/v1alpha1
            kind: ServiceFailover
            metadata: {name: app, namespace: shop}
            spec:
              service: app
              primary: us-east
              mode: ActiveActive
              replicas: 2
              placement:
                minDatacenters: 3

            """
        #expect(problems(yaml) == [
            "f.yaml:7: spec.replicas: Invalid value: spec.replicas is used only with mode ActiveActive (the total to divide); remove it, or set mode: ActiveActive.",
            "f.yaml:9: spec.failover[0].datacenter: Invalid value: spec.failover[0].datacenter is the primary us-east; list other datacenters.",
            "f.yaml:14: spec.replicas: Invalid value: spec.replicas is required with mode ActiveActive: the total to divide over the datacenters.",
            "f.yaml:28: spec.placement.minDatacenters: Invalid value: spec.placement.minDatacenters is 3, more than spec.replicas (2): each datacenter needs a replica; lower minDatacenters or raise replicas.",
        ])
    }

    @Test func anUnknownKindOfConcordsGroupIsReportedAndOtherGroupsAreSkipped() {
        let yaml = """
            apiVersion: federation.concord.dev/v1alpha1
            kind: Datacentre
            metadata: {name: x}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: x}
            data: {a: b}
            """
        #expect(problems(yaml) == [
            "f.yaml:2: kind: Unsupported value: Datacentre in federation.concord.dev/v1alpha1: federation.concord.dev/v1alpha1 serves Datacenter, FederationPolicy, ReplicationRule, ServiceFailover"
        ])
        let report = ManifestValidator().validate(ManifestReader.documents(yaml, file: "f.yaml").documents)
        #expect(report.skipped == 1)
    }

    @Test func missingApiVersionOrKindIsReported() {
        #expect(problems("kind: Datacenter\nmetadata: {name: x}\n") == ["f.yaml:1: apiVersion: Required value"])
        #expect(problems("apiVersion: federation.concord.dev/v1alpha1\nmetadata: {name: x}\n") == ["f.yaml:1: kind: Required value"])
    }

    @Test func aYAMLSyntaxErrorNamesItsLine() {
        let found = problems(goodDatacenter + "\n  labels: [a, b\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("f.yaml:10: YAML syntax error:") == true, "\(found)")
    }

    @Test func aDuplicateObjectIsReported() {
        #expect(problems(goodDatacenter + "\n---\n" + goodDatacenter) == [
            "f.yaml:10: metadata.name: Duplicate value: Datacenter/us-east is also defined at f.yaml:1"
        ])
    }

    @Test func unknownDatacentersAreReportedOnlyWithAHub() {
        let yaml = """
            apiVersion: federation.concord.dev/v1alpha1
            kind: ServiceFailover
            metadata: {name: web, namespace: shop}
            spec:
              service: web
              primary: us-east
              failover:
              - datacenter: us-west
              - datacenter: mars
            """
        #expect(problems(yaml) == [])
        #expect(problems(yaml, hub: ["us-east": [:], "us-west": [:]]) == [
            #"f.yaml:9: spec.failover[1].datacenter: Not found: "mars": no Datacenter of that name at the hub or in these manifests"#
        ])
    }

    @Test func datacentersInTheManifestsCountAsKnown() {
        let policy = """
            apiVersion: federation.concord.dev/v1alpha1
            kind: FederationPolicy
            metadata: {name: global}
            spec:
              primary: us-east
              datacenterSelector: {matchLabels: {geo: eu}}
              promotion: {candidates: [us-east, moon]}
            """
        #expect(problems(goodDatacenter + "\n---\n" + policy, hub: [:]) == [
            #"f.yaml:14: spec.primary: Invalid value: "us-east": not a member: the Datacenter's labels do not match spec.datacenterSelector"#,
            #"f.yaml:16: spec.promotion.candidates[1]: Not found: "moon": no Datacenter of that name at the hub or in these manifests"#,
        ])
    }

    @Test func fieldPathsSplitIntoSteps() {
        #expect(FieldLocator.steps("spec.failover[1].datacenter") == [.key("spec"), .key("failover"), .index(1), .key("datacenter")])
        #expect(FieldLocator.steps("metadata.labels[a.b/c]") == [.key("metadata"), .key("labels"), .key("a.b/c")])
    }
}
