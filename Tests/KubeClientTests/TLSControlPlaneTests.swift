import ConcordTesting
import ControlPlane
import Foundation
import KubeClient
import KubernetesAPI
import Testing

/// KubeClient against a control plane serving TLS, configured only from the kubeconfig the server wrote
/// (what `concord up`'s controller and agents do).
@Suite(.timeLimit(.minutes(2)))
struct TLSControlPlaneTests {
    @Test func clientTrustsTheGeneratedCAFromTheEmittedKubeconfig() async throws {
        try await withTestControlPlane(configure: { $0.tls = ServingTLS() }) { plane in
            let config = try ClientConfiguration.load(kubeconfigPath: plane.kubeconfigPath, environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
            #expect(config.server.scheme == "https")
            #expect(config.tls.caPEM != nil)
            let client = try KubeClient(configuration: config)
            do {
                let created = try await client.resource(TestConfigMap.self).create(
                    TestConfigMap(metadata: ObjectMeta(name: "over-tls", namespace: "default"), data: ["k": "v"]))
                #expect(created.metadata.uid != nil)
                let listed = try await client.resource(TestConfigMap.self).list(namespace: "default")
                // Every namespace holds kube-root-ca.crt, publishing the CA the kubeconfig trusts, as in a cluster.
                #expect(listed.items.map(\.metadata.name) == ["kube-root-ca.crt", "over-tls"])
                let published = listed.items.first { $0.metadata.name == "kube-root-ca.crt" }?.data?["ca.crt"]
                #expect(published.map { Data($0.utf8) } == config.tls.caPEM)
                #expect(await client.probeHealth(timeout: .seconds(5)).healthy)
                try await client.shutdown()
            } catch {
                try await client.shutdown()
                throw error
            }
        }
    }

    @Test func clientWithoutTheCARefusesTheServer() async throws {
        try await withTestControlPlane(configure: { $0.tls = ServingTLS() }) { plane in
            var config = try ClientConfiguration.load(kubeconfigPath: plane.kubeconfigPath, environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
            config.tls.caPEM = nil
            config.connectTimeout = .seconds(2)
            let client = try KubeClient(configuration: config)
            await #expect(throws: (any Error).self) { try await client.resource(TestConfigMap.self).list(namespace: "default") }
            try await client.shutdown()
        }
    }

    @Test func clientCertificateFromTheKubeconfigAuthenticates() async throws {
        let dir = try TempDirectory()
        let clientCA = try CertificateAuthority.generate(commonName: "clients", now: Date())
        let caFile = try dir.write("client-ca.crt", try clientCA.certificatePEM)
        let issued = try clientCA.issueClientCertificate(user: "robot", now: Date())
        try await withTestControlPlane(configure: { $0.tls = ServingTLS(clientCAFile: caFile) }) { plane in
            var config = try ClientConfiguration.load(kubeconfigPath: plane.kubeconfigPath, environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
            try await Self.bindView(to: "robot", with: config)
            config.credentials = .none
            config.tls.clientCertificatePEM = Data(try issued.certificatePEM.utf8)
            config.tls.clientKeyPEM = Data(issued.privateKeyPEM.utf8)
            let client = try KubeClient(configuration: config)
            do {
                let listed = try await client.resource(TestConfigMap.self).list(namespace: "default")
                #expect(listed.items.map(\.metadata.name) == ["kube-root-ca.crt"])
                try await client.shutdown()
            } catch {
                try await client.shutdown()
                throw error
            }
        }
    }

    /// RBAC: lets `user` read, through the control plane's own credentials in `config`.
    private static func bindView(to user: String, with config: ClientConfiguration) async throws {
        let admin = try KubeClient(configuration: config)
        let binding = #"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRoleBinding","metadata":{"name":"\#(user)-view"},"#
            + #""roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"#
            + #""subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"\#(user)"}]}"#
        let result: Result<Int, any Error>
        do {
            result = .success(
                try await admin.transport.send(
                    KubeRequest(
                        method: .post, path: "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", body: Data(binding.utf8),
                        contentType: "application/json")
                ).statusCode)
        } catch {
            result = .failure(error)
        }
        try await admin.shutdown()
        #expect(try result.get() == 201)
    }
}
