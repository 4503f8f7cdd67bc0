import ArgumentParser
import Foundation
import KubernetesAPI
import Testing

@testable import ConcordCLI

/// The operator's Deployment runs the binary with arguments it accepts, and as the install expects.
struct OperatorManifestTests {
    static let manifests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("manifests")

    private func deployment() throws -> JSONValue {
        let file = Self.manifests.appendingPathComponent("deployment.yaml").path
        let (documents, problems) = ManifestReader.documents(try ManifestReader.text(of: file), file: file)
        #expect(problems.isEmpty, "\(problems)")
        return try #require(documents.first { $0.object["kind"] == "Deployment" }?.object)
    }

    @Test func theDeploymentsArgsParseAsTheControllerCommand() throws {
        let container = try #require(try deployment().value(at: ["spec", "template", "spec", "containers"])?.arrayValue?.first)
        let args = container["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        #expect(args.first == "controller")
        let parsed = try ConcordCommand.parseAsRoot(args)
        let controller = try #require(parsed as? ControllerCommand, "\(type(of: parsed))")
        #expect(controller.election.enabled, "leader election is on")
        #expect(controller.election.namespace == "concord-system")
        #expect(controller.metricsBindAddress == ":8080")
        #expect(controller.healthProbeBindAddress == ":8081")
        #expect(controller.logging.logFormat == .json)
    }

    @Test func theDeploymentHasProbesResourcesAndRunsAsNonRoot() throws {
        let pod = try #require(try deployment().value(at: ["spec", "template", "spec"]))
        #expect(pod["serviceAccountName"] == "concord-controller")
        #expect(pod.value(at: ["securityContext", "runAsNonRoot"]) == true)
        let container = try #require(pod["containers"]?.arrayValue?.first)
        #expect(container.value(at: ["livenessProbe", "httpGet", "path"]) == "/healthz")
        #expect(container.value(at: ["readinessProbe", "httpGet", "path"]) == "/readyz")
        #expect(container.value(at: ["resources", "requests", "memory"]) != nil)
        #expect(container.value(at: ["resources", "limits", "memory"]) != nil)
        #expect(container.value(at: ["securityContext", "allowPrivilegeEscalation"]) == false)
        #expect(container.value(at: ["securityContext", "readOnlyRootFilesystem"]) == true)
    }

    @Test func secretsAreReadOnlyByNameInConcordSystem() throws {
        let file = Self.manifests.appendingPathComponent("rbac.yaml").path
        let (documents, _) = ManifestReader.documents(try ManifestReader.text(of: file), file: file)
        let clusterRole = try #require(documents.first { $0.object["kind"] == "ClusterRole" }?.object)
        let clusterResources = (clusterRole["rules"]?.arrayValue ?? []).flatMap { $0["resources"]?.arrayValue ?? [] }
        #expect(!clusterResources.contains("secrets"), "no cluster-wide Secret access")
        let role = try #require(documents.first { $0.object["kind"] == "Role" }?.object)
        #expect(role.value(at: ["metadata", "namespace"]) == "concord-system")
        let secretRules = (role["rules"]?.arrayValue ?? []).filter { $0["resources"]?.arrayValue?.contains("secrets") == true }
        #expect(secretRules.map { $0["verbs"] } == [["get"]])
    }
}
