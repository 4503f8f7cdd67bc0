import FederationAPI
import Foundation
import KubeClient
#if canImport(Glibc)
import Glibc
#endif

/// A hub (`concord server`) with Concord's CRDs installed (`concord crds | kubectl apply -f -`), the
/// `concord-system` namespace, and Datacenters whose members are given servers (their kubeconfig in a Secret).
struct RuntimeHub {
    let server: ServerProcess
    let kubectl: Kubectl
    let client: KubeClient
    let dir: URL

    static func start(in dir: URL) async throws -> RuntimeHub {
        let server = try await ServerProcess.start(dataDir: dir.appendingPathComponent("hub"), port: try freePort(), logName: "hub")
        let k = try Kubectl(kubeconfig: server.kubeconfig)
        let crds = try await run(try concordBinary(), ["crds"])
        guard crds.succeeded else { throw E2EError("concord crds failed: \(crds.stderr)") }
        let applied = try await k("apply", "-f", "-", stdin: crds.stdout)
        guard applied.succeeded else { throw E2EError("installing the CRDs failed: \(applied.stderr)") }
        let established = try await k("wait", "--for=condition=Established", "crd/datacenters.federation.concord.dev", "--timeout=30s")
        guard established.succeeded else { throw E2EError("CRDs not established: \(established.stderr)") }
        _ = try await k("create", "namespace", FederationGroup.systemNamespace)
        let client = try KubeClient(kubeconfigPath: server.kubeconfig)
        return RuntimeHub(server: server, kubectl: k, client: client, dir: dir)
    }

    /// Registers a Push-mode Datacenter whose member is reached through `memberKubeconfig`, probed every second.
    func register(_ name: String, region: String, memberKubeconfig: String) async throws {
        let secret = try await kubectl("create", "secret", "generic", "\(name)-kubeconfig", "-n", FederationGroup.systemNamespace, "--from-file=kubeconfig=\(memberKubeconfig)")
        guard secret.succeeded else { throw E2EError("secret for \(name): \(secret.stderr)") }
        let manifest = """
            apiVersion: federation.concord.dev/v1alpha1
            kind: Datacenter
            metadata: {name: \(name)}
            spec:
              region: \(region)
              mode: Push
              credentialsRef: {namespace: \(FederationGroup.systemNamespace), name: \(name)-kubeconfig, key: kubeconfig}
            """
        let applied = try await kubectl("apply", "-f", "-", stdin: manifest)
        guard applied.succeeded else { throw E2EError("datacenter \(name): \(applied.stderr)") }
    }

    /// Starts `concord controller` against this hub with extra flags.
    func controller(_ name: String, _ flags: [String]) throws -> Background {
        try Background(try concordBinary(), ["controller", "--kubeconfig", server.kubeconfig] + flags, logPath: dir.appendingPathComponent("\(name).log").path)
    }

    /// The Lease, if it exists.
    func lease(_ name: String = "concord-controller") async -> Lease? {
        do {
            return try await client.resource(Lease.self).get(name, namespace: FederationGroup.systemNamespace)
        } catch {
            return nil
        }
    }

    /// A Datacenter's status, if it can be read.
    func status(_ name: String) async -> DatacenterStatus? {
        do {
            return try await client.resource(Datacenter.self).get(name).status
        } catch {
            return nil
        }
    }

    func stop() async {
        try? await client.shutdown()
        await server.process.stop()
    }
}

extension Background {
    /// The leader election identity the controller logged at start.
    var electionIdentity: String? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("Starting Concord controllers") }),
            let range = line.range(of: " as ")
        else { return nil }
        return line[range.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\"" }).first.map(String.init)
    }
}
