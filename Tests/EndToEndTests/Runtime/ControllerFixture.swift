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

    static func start(in dir: URL, installingCRDs: Bool = true, serverArguments: [String] = []) async throws -> RuntimeHub {
        let server = try await ServerProcess.start(dataDir: dir.appendingPathComponent("hub"), logName: "hub", extraArguments: serverArguments)
        let k = try Kubectl(kubeconfig: server.kubeconfig)
        _ = try await k("create", "namespace", FederationGroup.systemNamespace)
        let hub = RuntimeHub(server: server, kubectl: k, client: try KubeClient(kubeconfigPath: server.kubeconfig), dir: dir)
        if installingCRDs { try await hub.installCRDs() }
        return hub
    }

    /// `concord crds | kubectl apply -f -`, then waits until they are Established.
    func installCRDs() async throws {
        let crds = try await run(try concordBinary(), ["crds"])
        guard crds.succeeded else { throw E2EError("concord crds failed: \(crds.stderr)") }
        let applied = try await kubectl("apply", "-f", "-", stdin: crds.stdout)
        guard applied.succeeded else { throw E2EError("installing the CRDs failed: \(applied.stderr)") }
        let established = try await kubectl("wait", "--for=condition=Established", "crd/datacenters.federation.concord.dev", "--timeout=30s")
        guard established.succeeded else { throw E2EError("CRDs not established: \(established.stderr)") }
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

/// GETs `http://127.0.0.1:port/path`; returns the status code and body.
func httpGet(port: Int, _ path: String) async throws -> (code: Int, body: String) {
    let client = try KubeClient(configuration: ClientConfiguration(server: URL(string: "http://127.0.0.1:\(port)")!, requestTimeout: .seconds(5)))
    do {
        let r = try await client.transport.send(KubeRequest(method: .get, path: path, accept: "*/*"))
        try await client.shutdown()
        return (r.statusCode, String(decoding: r.body, as: UTF8.self))
    } catch {
        try await client.shutdown()
        throw error
    }
}

/// Samples of a Prometheus text exposition: `name{labels}` → value.
func metricSamples(_ text: String) -> [String: Double] {
    var out: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
        out[String(line[..<space])] = value
    }
    return out
}

extension Background {
    /// The port a controller logged for `Serving <server> server bindAddress=host:port`.
    func servingPort(_ server: String) -> Int? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("Serving \(server) server") }),
            let range = line.range(of: "bindAddress=")
        else { return nil }
        let address = line[range.upperBound...].split(separator: " ").first ?? ""
        return address.split(separator: ":").last.flatMap { Int($0) }
    }

    /// The leader election identity the controller logged at start.
    var electionIdentity: String? {
        guard let line = log.split(separator: "\n").first(where: { $0.contains("Starting Concord controllers") }),
            let range = line.range(of: " as ")
        else { return nil }
        return line[range.upperBound...].split(whereSeparator: { $0 == " " || $0 == "\"" }).first.map(String.init)
    }
}
