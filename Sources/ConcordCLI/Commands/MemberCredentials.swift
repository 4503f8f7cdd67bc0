import FederationAPI
import Foundation
import KubeClient

/// A Push-mode member's kubeconfig, read from the Secret its Datacenter's `credentialsRef` names,
/// as the controller reads it.
enum MemberCredentials {
    /// A client for the member `dc`; nil when it has no `credentialsRef` (Pull mode). `timeout` bounds each request.
    static func client(for dc: Datacenter, hub: KubeClient, timeout: Duration? = nil) async throws -> KubeClient? {
        guard let ref = dc.spec.credentialsRef else { return nil }
        let secret = try await hub.resource(Secret.self).get(ref.name, namespace: ref.effectiveNamespace)
        guard let raw = secret.decodedData(ref.effectiveKey), let kubeconfig = String(data: raw, encoding: .utf8) else {
            throw CLIError("Secret \(ref.effectiveNamespace)/\(ref.name) has no kubeconfig under key \"\(ref.effectiveKey)\"")
        }
        var configuration = try ClientConfiguration.fromKubeconfig(text: kubeconfig, source: "Secret \(ref.effectiveNamespace)/\(ref.name)")
        if let timeout { configuration.requestTimeout = timeout }
        return try KubeClient(configuration: configuration)
    }

    /// Runs `body` with a client for `dc`'s member and shuts the client down either way.
    static func with<T>(_ dc: Datacenter, hub: KubeClient, timeout: Duration? = nil, _ body: (KubeClient) async throws -> T) async throws -> T? {
        guard let member = try await client(for: dc, hub: hub, timeout: timeout) else { return nil }
        do {
            let value = try await body(member)
            try await member.shutdown()
            return value
        } catch {
            try? await member.shutdown()
            throw error
        }
    }
}
