import ConcordTesting
import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging
import Testing

@testable import FederationControllers

/// A ServiceFailover's cleanup deletes a member's object only as it read it: a delete decided on an
/// older view fails with a conflict and leaves the object, and a live read sees past the caches.
@Suite(.timeLimit(.minutes(1)))
struct ServiceEffectExecutorDeleteTests {
    static let deployments = GroupVersionResource(group: "apps", version: "v1", resource: "deployments")

    @Test func aDeleteAsReadFailsOnAChangedObjectAndLeavesIt() async throws {
        try await withTestControlPlane { plane in
            let member = try KubeClient(kubeconfigPath: plane.kubeconfigPath)
            let members = Members(
                connections: MemberConnections(logger: Logger(label: "test.members"), breaker: nil),
                clock: .continuous, watchBackoff: .reflector, logger: Logger(label: "test.members"))
            _ = try await members.connection(
                for: "b", secretRevision: "1", kubeconfig: try String(contentsOfFile: plane.kubeconfigPath, encoding: .utf8), source: "test", now: Date())
            let executor = ServiceEffectExecutor(
                members: members, resources: FailoverResources(workload: ResolvedKind(resource: Self.deployments, kind: "Deployment", namespaced: true)),
                clock: .continuous, writeTimeout: .seconds(5), logger: Logger(label: "test.executor"))
            let deployments = member.dynamic(Self.deployments, namespaced: true, kind: "Deployment")
            let read = try await deployments.create([
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "default"],
                "spec": [
                    "replicas": 0, "selector": ["matchLabels": ["app": "web"]],
                    "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "web", "image": "nginx"]]]],
                ],
            ], namespace: "default")
            // Someone scales the copy up after it was read at 0 replicas.
            _ = try await deployments.patch("web", namespace: "default", type: .merge, patch: ["spec": ["replicas": 2]])

            let stale = await #expect(throws: KubeAPIError.self) {
                try await executor.delete("web", resource: Self.deployments, kind: "Deployment", namespace: "default", in: "b", as: read)
            }
            #expect(stale?.isConflict == true, "\(String(describing: stale))")
            let current = try #require(try await executor.live("web", resource: Self.deployments, kind: "Deployment", namespace: "default", in: "b"))
            #expect(current["spec"]?["replicas"] == 2)
            #expect(ReplicaContent.resourceVersion(of: current) != ReplicaContent.resourceVersion(of: read))

            // As read now, it goes; once gone, a live read finds nothing and another delete is fine.
            try await executor.delete("web", resource: Self.deployments, kind: "Deployment", namespace: "default", in: "b", as: current)
            #expect(try await executor.live("web", resource: Self.deployments, kind: "Deployment", namespace: "default", in: "b") == nil)
            try await executor.delete("web", resource: Self.deployments, kind: "Deployment", namespace: "default", in: "b", as: current)
            await members.shutdownAll()
            try await member.shutdown()
        }
    }
}
