import Foundation
import KubernetesAPI
import Logging
import ServiceLifecycle

/// What kube-apiserver keeps in `default` for itself, so `kubectl get svc` on a new cluster shows it:
/// - the Service `kubernetes` (labels `component: apiserver`, `provider: kubernetes`; cluster IP
///   `10.96.0.1`, the first address of the service range; port 443 named `https`, to this server's port);
/// - its Endpoints `kubernetes` (labelled `endpointslice.kubernetes.io/skip-mirror: "true"`) and
///   EndpointSlice `kubernetes`, naming this server's address and port.
///
/// Each is created when missing and put back when its ports, type or addresses changed, before the server
/// reports that it listens (``initialRound(port:createOnly:)``) and then every `interval`
/// (kube-apiserver's 10 s); what else a person changed is left alone. On a store shared between servers
/// only the server holding the collector's Lease keeps them (a server starting makes only what is
/// missing), so they name that server.
/// A Service that already holds `10.96.0.1` keeps it: the `kubernetes` Service is then not created (a
/// warning says why) and the Endpoints and EndpointSlice are still kept.
struct KubernetesServiceReconciler: Service {
    let handler: ResourceHandler
    /// The address the endpoints name (``address(bound:)``).
    let ip: String
    /// The port the server listens on, set by the first round.
    let port: ListeningPort
    let clock: any Clock<Duration>
    var interval: Duration = .seconds(10)
    let logger: Logger

    static let name = "kubernetes"
    static let namespace = "default"
    /// The first address of the service range, which kube-apiserver gives its own Service.
    static let clusterIP = "10.96.0.1"

    /// Runs until graceful shutdown or cancellation, from the first round on.
    func run() async {
        let port: Int
        do {
            port = try await cancelWhenGracefulShutdown { [listening = self.port] in try await listening.value() }
        } catch {
            return  // stopped before the server listened
        }
        var warned = false
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await reconcile(ip: ip, port: port)
                warned = false
            } catch is CancellationError {
                return
            } catch {
                if !warned { warn(error) }
                warned = true
            }
            let clock = self.clock, interval = self.interval
            do { try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) } } catch { return }
        }
    }

    /// One round: the Service, then the Endpoints and the EndpointSlice; with `createOnly`, only what is
    /// missing is made (what a server sharing the store does as it starts: the Lease holder keeps the rest).
    func reconcile(ip: String, port: Int, createOnly: Bool = false) async throws {
        var failure: (any Error)?
        for (resource, wanted) in [
            ("services", Self.service(port: port)), ("endpoints", Self.endpoints(ip: ip, port: port)),
            ("endpointslices.discovery.k8s.io", Self.endpointSlice(ip: ip, port: port)),
        ] {
            do {
                try await ensure(resource, wanted, createOnly: createOnly)
            } catch let error as APIError where error.code == 403 || error.code == 404 {
                // The namespace is going away: the next round creates them again.
                continue
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
    }

    /// The first round, before the server reports that it listens on `port`, so a client that waited for
    /// it finds them written: a failure is logged, and left to the rounds that follow (``run()`` starts them).
    func initialRound(port bound: Int, createOnly: Bool) async {
        do {
            try await reconcile(ip: ip, port: bound, createOnly: createOnly)
        } catch {
            warn(error)
        }
        port.set(bound)
    }

    private func warn(_ error: any Error) {
        logger.warning("Could not write the kubernetes Service or its endpoints", metadata: ["error": "\(error)"])
    }

    /// Creates `wanted` when missing; otherwise (unless `createOnly`) puts back the fields this reconciler owns.
    private func ensure(_ resource: String, _ wanted: JSONValue, createOnly: Bool) async throws {
        guard let definition = handler.registry.definition(storageResource: resource) else { return }
        let key = StorageKey(resource: resource, namespace: Self.namespace, name: Self.name)
        guard let current = try await handler.store.get(key) else {
            do {
                _ = try await handler.create(definition, namespace: Self.namespace, body: wanted, options: try Self.writeOptions())
            } catch let e as APIError where e.status.reason == StatusReason.alreadyExists {}
            return
        }
        let owned = Self.ownedFields(resource)
        guard !createOnly, owned.contains(where: { current.object.value(at: $0) != wanted.value(at: $0) }) else { return }
        _ = try await handler.write(definition, namespace: Self.namespace, name: Self.name, expectedRevision: nil, options: try Self.writeOptions()) { object in
            var o = object
            for path in owned { o.setValue(wanted.value(at: path), at: path) }
            return o
        }
    }

    /// The fields put back when changed: the Service's ports and type, the endpoints' addresses and ports.
    static func ownedFields(_ resource: String) -> [[String]] {
        switch resource {
        case "services": [["spec", "ports"], ["spec", "type"]]
        case "endpoints": [["subsets"]]
        default: [["addressType"], ["endpoints"], ["ports"], ["metadata", "labels", "kubernetes.io/service-name"]]
        }
    }

    static func service(port: Int) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Service",
            "metadata": ["name": .string(name), "labels": ["component": "apiserver", "provider": "kubernetes"]],
            "spec": [
                "type": "ClusterIP", "clusterIP": .string(clusterIP), "sessionAffinity": "None",
                "ports": [["name": "https", "port": 443, "protocol": "TCP", "targetPort": .int(Int64(port))]],
            ],
        ]
    }

    static func endpoints(ip: String, port: Int) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": ["name": .string(name), "labels": ["endpointslice.kubernetes.io/skip-mirror": "true"]],
            "subsets": [["addresses": [["ip": .string(ip)]], "ports": [["name": "https", "port": .int(Int64(port)), "protocol": "TCP"]]]],
        ]
    }

    static func endpointSlice(ip: String, port: Int) -> JSONValue {
        [
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": ["name": .string(name), "labels": ["kubernetes.io/service-name": .string(name)]],
            "addressType": ip.contains(":") ? "IPv6" : "IPv4",
            "endpoints": [["addresses": [.string(ip)], "conditions": ["ready": true]]],
            "ports": [["name": "https", "port": .int(Int64(port)), "protocol": "TCP"]],
        ]
    }

    /// The address the endpoints name for a server bound to `host`: the host itself when it is an IP
    /// address, loopback for a wildcard bind or a name.
    static func address(bound host: String) -> String {
        if host == "0.0.0.0" || host == "::" { return "127.0.0.1" }
        var v4 = in_addr(), v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1 { return host }
        return "127.0.0.1"
    }

    /// kube-apiserver writes these as itself.
    static func writeOptions() throws -> WriteOptions {
        try WriteOptions(QueryParameters(["fieldManager": "kube-apiserver"]))
    }
}

