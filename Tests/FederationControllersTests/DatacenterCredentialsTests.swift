import ConcordTesting
import ControllerRuntime
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Testing

/// New credentials for a member are picked up when the Datacenter announces them (its
/// credentials-revision annotation, as `concord restore` sets it), not after the periodic refresh:
/// the refresh here is an hour, so only the change event can move the member client.
@Suite(.serialized) struct DatacenterCredentialsTests {
    @Test func announcedCredentialsMoveTheMemberClientAtOnce() async throws {
        try await withTestControlPlane { hubPlane in
            try await withTestControlPlane { oldPlane in
                try await withTestControlPlane { newPlane in
                    let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
                    let replacement = try KubeClient(kubeconfigPath: newPlane.kubeconfigPath)
                    try await DatacenterControllerTests.installCRDs(hub)
                    try await DatacenterControllerTests.register(hub, name: "east", kubeconfig: String(contentsOfFile: oldPlane.kubeconfigPath, encoding: .utf8))
                    let dcs = hub.resource(Datacenter.self), secrets = hub.resource(Secret.self)
                    let options = ControllerOptions(requeue: RequeuePolicy(credentialsRefresh: .seconds(3600)))
                    try await DatacenterControllerTests.withControllers(hub, options: options) {
                        try await DatacenterControllerTests.waitFor("east Ready on its first control plane") { try await dcs.get("east").status?.phase == .ready }

                        // The Secret now names the new control plane; the Datacenter announces it.
                        var secret = try await secrets.get("east-kubeconfig", namespace: "concord-system")
                        secret.data = ["kubeconfig": Data(try String(contentsOfFile: newPlane.kubeconfigPath, encoding: .utf8).utf8).base64EncodedString()]
                        let written = try await secrets.update(secret)
                        let patch: JSONValue = ["metadata": ["annotations": .object([Datacenter.credentialsRevisionAnnotation: .string(written.metadata.resourceVersion ?? "")])]]
                        _ = try await dcs.patch("east", type: .merge, patch: patch)

                        // The controller connects to the new control plane and installs the fencing marker there.
                        try await DatacenterControllerTests.waitFor("the fencing marker in the new control plane") {
                            do {
                                return try await replacement.resource(ConfigMap.self).get(FencingMarker.name, namespace: FencingMarker.namespace).data?["datacenter"] == "east"
                            } catch let e as KubeAPIError where e.isNotFound { return false }
                        }
                        // Ready through the new control plane. A probe that timed out on a loaded machine may
                        // have made it Suspect for a moment; what matters is that the moved client is healthy.
                        try await DatacenterControllerTests.waitFor("east Ready on the new control plane") { try await dcs.get("east").status?.phase == .ready }
                    }
                    try await replacement.shutdown()
                    try await hub.shutdown()
                }
            }
        }
    }

    @Test func theCredentialsSourceNamesTheSecretKeyAndAnnouncedRevision() {
        var dc = Datacenter(metadata: ObjectMeta(name: "east"), spec: DatacenterSpec(region: "r", credentialsRef: SecretKeyReference(name: "east-kubeconfig")))
        let before = dc.credentialsSource
        #expect(before == "concord-system/east-kubeconfig#kubeconfig@")
        dc.metadata.annotations = [Datacenter.credentialsRevisionAnnotation: "42"]
        #expect(dc.credentialsSource != before && dc.credentialsSource.hasSuffix("@42"))
        dc.metadata.annotations = nil
        dc.spec.credentialsRef = SecretKeyReference(name: "east-kubeconfig", key: "other")
        #expect(dc.credentialsSource != before, "another key is other credentials")
        dc.spec.credentialsRef = nil
        #expect(dc.credentialsSource.isEmpty)
    }
}
