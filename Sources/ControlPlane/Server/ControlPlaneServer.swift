import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import KubernetesAPI
import Logging
import ServiceLifecycle
import Synchronization

/// Concord's embedded Kubernetes-compatible API server, as a swift-service-lifecycle `Service`.
///
/// `run()` opens the store in the data directory, creates the initial namespaces on first start, writes
/// `<dataDirectory>/kubeconfig`, serves until graceful shutdown (open watches end), then returns.
///
/// ```swift
/// let server = ControlPlaneServer(configuration: .init(dataDirectory: dir, port: 0))
/// let group = ServiceGroup(services: [server], logger: logger)
/// async let running: Void = group.run()
/// let port = try await server.port()   // the bound (ephemeral) port
/// ```
///
/// Authentication: every request but `/healthz`, `/livez`, `/readyz` and `/version` needs credentials: the
/// control plane's token (user `concord-admin`), a token from `tokenFile`, or over TLS a client certificate
/// signed by `tls.clientCAFile` (user = common name), or a ServiceAccount token from the TokenRequest API
/// (`kubectl create token`). Tokens travel as `Authorization: Bearer <token>`, or over plain HTTP as the path
/// prefix `/token/<token>` (kubectl sends credentials only over TLS, so the plain-HTTP kubeconfig's server URL
/// carries the prefix). With `tls` the kubeconfig names an `https://` server, its CA and the token.
///
/// Authorization is kube-apiserver's RBAC (Roles, ClusterRoles with aggregation, bindings, escalation
/// prevention, impersonation); `system:masters` may do anything. The default ClusterRoles and bindings are
/// created on first start; the group `concord:viewers` is bound to `view`.
///
/// Built-in controllers run beside the API: the garbage collector (ownerReferences, Background, Foreground
/// and Orphan deletion) and, when `simulateWorkloads` is set, the workload simulator. Servers sharing etcd
/// elect one of them to collect garbage through the Lease `kube-system/concord-garbage-collector`.
///
/// Where it differs from kube-apiserver (deliberately, for now): no admission webhooks; no real workload
/// controllers (no Pods); CRD versions share one stored object (conversion
/// `None`); CRD schemas ignore CEL rules, `allOf`/`anyOf`/`oneOf`/`not` and string formats but `date-time`; built-in kinds check
/// unknown fields at the top level only; paginated lists are not snapshots; `resourceVersionMatch=Exact`
/// lists only at the current revision (older ones get 410); protobuf is read for Namespace/ConfigMap/Secret requests only, answers are JSON.
public final class ControlPlaneServer: Service, Sendable {
    private enum State {
        case idle
        case running(port: Int)
        case stopped(failure: String?)
    }

    /// The configuration the server was created with.
    public let configuration: ControlPlaneConfiguration
    private let state = Mutex<(state: State, waiters: [CheckedContinuation<Int, any Error>])>((.idle, []))
    private let resolvedToken = Mutex<String?>(nil)
    private let authorityPEM = Mutex<String?>(nil)
    private let group = Mutex<(group: ServiceGroup?, stopRequested: Bool)>((nil, false))

    /// Whether this server runs the garbage collector: always on a store of its own (SQLite); on a shared
    /// store (etcd) only while it holds the Lease `kube-system/concord-garbage-collector`.
    public let garbageCollector = LeaseElectionStatus()

    /// Creates a server; nothing happens until `run()`.
    public init(configuration: ControlPlaneConfiguration) {
        self.configuration = configuration
    }

    /// The bound port, once the server listens and has written its own `kubernetes` Service and endpoints
    /// (so a client's first requests never race those writes). Waits for it; throws if the server stopped before.
    public func port() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let immediate: Result<Int, any Error>? = state.withLock { s in
                switch s.state {
                case .running(let port): return .success(port)
                case .stopped(let failure): return .failure(ControlPlaneError(failure ?? "the control plane is not running"))
                case .idle:
                    s.waiters.append(continuation)
                    return nil
                }
            }
            if let immediate { continuation.resume(with: immediate) }
        }
    }

    /// The bearer token clients must send (available once `run()` has started), or nil without authentication.
    public var token: String? { resolvedToken.withLock { $0 } }

    /// The PEM CA certificate clients trust for HTTPS (available once `run()` has started), or nil over plain
    /// HTTP or when the operator's certificate chain has no self-signed root.
    public var certificateAuthorityPEM: String? { authorityPEM.withLock { $0 } }

    /// `http` or `https`, as configured.
    public var scheme: String { configuration.tls == nil ? "http" : "https" }

    /// `<dataDirectory>/kubeconfig`, written once the server listens.
    public var kubeconfigPath: String { configuration.kubeconfigPath }

    /// Serves until graceful shutdown, `stop()` or cancellation. A server runs once; make a new one to restart.
    public func run() async throws {
        do {
            try await serve()
            finish(failure: nil)
        } catch {
            finish(failure: String(describing: error))
            throw error
        }
    }

    private func serve() async throws {
        let config = configuration
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        let token = config.requiresAuthentication ? try Credentials.loadOrCreateToken(config) : nil
        let tokenUsers = try config.tokenFile.map { try TokenFile(path: $0).users } ?? [:]
        if let tokenFile = config.tokenFile {
            config.logger.info("Loaded the token file", metadata: ["path": "\(tokenFile)", "users": "\(Set(tokenUsers.values.map(\.name)).sorted().joined(separator: ","))"])
        }
        let tls = try config.tls?.resolve(dataDirectory: config.dataDirectory, host: config.host, now: config.now(), logger: config.logger)
        resolvedToken.withLock { $0 = token }
        authorityPEM.withLock { $0 = tls?.material.certificateAuthorityPEM }
        let store = try await (config.makeStore ?? DefaultStore.open)(config.dataDirectory)
        do {
            try await serve(store: store, authenticator: Authenticator(adminToken: token, tokenUsers: tokenUsers), tls: tls)
        } catch {
            try await Self.close(store)
            throw error
        }
        try await Self.close(store)
    }

    private func serve(store: any ObjectStore, authenticator: Authenticator, tls: (material: ServingMaterial, tls: TLSConfiguration)?) async throws {
        let config = configuration
        let registry = ResourceRegistry()
        let handler = ResourceHandler(store: store, registry: registry, now: config.now, logger: config.logger)
        let crdRevision = try await Bootstrap.run(handler)
        let authorizer = RBACAuthorizer()
        try await RBACBootstrap.run(handler, authorizer: authorizer)
        let namespaceDefaults = NamespaceDefaults(handler: handler, rootCA: tls?.material.certificateAuthorityPEM, clock: config.clock, logger: config.logger)
        for namespace in BuiltinResources.initialNamespaces { _ = await namespaceDefaults.ensure(namespace, createOnly: true) }
        let tokens = try ServiceAccountTokens.loadOrCreate(dataDirectory: config.dataDirectory)
        let address = Mutex<String>("\(config.host):\(config.port)")
        let (listening, listened) = AsyncStream<Int>.makeStream()
        let kubernetesService = KubernetesServiceReconciler(
            handler: handler, ip: KubernetesServiceReconciler.address(bound: config.host), port: ListeningPort(), clock: config.clock, logger: config.logger)
        let responder = APIResponder(
            handler: handler, authenticator: authenticator, authorizer: authorizer,
            endpoints: AuthenticationEndpoints(handler: handler, authenticator: authenticator, authorizer: authorizer, tokens: tokens),
            acceptsClientCertificates: tls != nil && config.tls?.clientCAFile != nil,
            clock: config.clock, bookmarkInterval: config.bookmarkInterval, serverAddress: { address.withLock { $0 } }, logger: config.logger)
        let server: HTTPServerBuilder = try tls.map { try .tls(.http1(), tlsConfiguration: $0.tls) } ?? .http1()
        let app = Application(
            responder: responder, server: server,
            configuration: ApplicationConfiguration(address: .hostname(config.host, port: config.port), serverName: "concord"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? config.port
                let clientHost = Self.clientHost(config.host)
                address.withLock { $0 = "\(clientHost):\(port)" }
                let url = Self.urlHost(clientHost) + ":\(port)"
                let kubeconfig: String
                if let tls {
                    kubeconfig = Credentials.kubeconfig(
                        server: "https://\(url)", token: authenticator.adminToken, certificateAuthorityPEM: tls.material.certificateAuthorityPEM)
                } else {
                    let token = authenticator.adminToken
                    kubeconfig = Credentials.kubeconfig(server: "http://\(url)" + (token.map { APIResponder.tokenPrefix + $0 } ?? ""), token: token)
                }
                do {
                    try Credentials.writePrivate(Data(kubeconfig.utf8), to: config.kubeconfigPath)
                } catch {
                    config.logger.error("Could not write the kubeconfig", metadata: ["path": "\(config.kubeconfigPath)", "error": "\(error)"])
                }
                listened.yield(port)
                listened.finish()
            },
            logger: config.logger)
        let controllers = try BuiltinControllers.services(
            handler: handler, configuration: config, namespaceDefaults: namespaceDefaults, kubernetesService: kubernetesService,
            collector: garbageCollector)
        let report = ListeningReport(
            listening: listening, kubernetesService: kubernetesService, createOnly: store.sharedBetweenServers,
            report: { [self] port in self.started(port: port) })
        // Services stop in reverse order: the built-in controllers before the HTTP server, and the store's own
        // work (etcd's watch cache) last, so open watches end cleanly instead of losing their feed first.
        let services = store.backgroundServices.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) }
            + [.init(service: app), .init(service: report, successTerminationBehavior: .ignore)]
            + controllers.map { .init(service: $0) }
            + [.init(service: RBACFollower(handler: handler, authorizer: authorizer, clock: config.clock, logger: config.logger))]
            + (store.sharedBetweenServers
                ? [.init(service: CRDFollower(store: store, registry: registry, syncedAt: crdRevision, clock: config.clock, logger: config.logger))] : [])
        let serviceGroup = ServiceGroup(configuration: .init(services: services, logger: config.logger))
        let stopEarly = group.withLock { g -> Bool in
            g.group = serviceGroup
            return g.stopRequested
        }
        if !stopEarly { try await serviceGroup.run() }
    }

    /// The address clients connect to: loopback for a wildcard bind.
    static func clientHost(_ host: String) -> String {
        host == "0.0.0.0" || host == "::" ? "127.0.0.1" : host
    }

    /// A host as it appears in a URL: IPv6 literals in brackets.
    static func urlHost(_ host: String) -> String {
        host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
    }

    /// Closes the store (a SQLite data directory can then be opened again at once).
    private static func close(_ store: any ObjectStore) async throws {
        try await store.close()
    }

    /// Stops serving gracefully: open watches end, `run()` returns. Also happens on the enclosing
    /// service group's graceful shutdown (SIGTERM/SIGINT under `concord server`).
    public func stop() async {
        let running = group.withLock { g -> ServiceGroup? in
            g.stopRequested = true
            return g.group
        }
        await running?.triggerGracefulShutdown()
    }

    private func started(port: Int) {
        let waiters = state.withLock { s in
            s.state = .running(port: port)
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume(returning: port) }
    }

    private func finish(failure: String?) {
        let waiters = state.withLock { s in
            s.state = .stopped(failure: failure)
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume(throwing: ControlPlaneError(failure ?? "the control plane stopped")) }
    }
}

/// A control plane failure: the server could not start or stopped.
public struct ControlPlaneError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// First-start state and what must be loaded before serving.
enum Bootstrap {
    /// Creates the initial namespaces if missing and serves every stored CRD; returns the revision the CRDs were listed at.
    @discardableResult
    static func run(_ handler: ResourceHandler) async throws -> Int64 {
        let nsDef = BuiltinResources.namespaceDefinition
        for name in BuiltinResources.initialNamespaces {
            let key = StorageKey(resource: "namespaces", namespace: "", name: name)
            if try await handler.store.get(key) != nil { continue }
            do {
                _ = try await handler.create(
                    nsDef, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]],
                    options: try WriteOptions(QueryParameters(nil)))
            } catch let e as APIError where e.status.reason == StatusReason.alreadyExists {
                // Another server sharing the store created it first.
                continue
            }
        }
        let (crds, revision) = try await handler.store.list(resource: "customresourcedefinitions.apiextensions.k8s.io", namespace: nil)
        for crd in crds { handler.registry.install(crd: crd.object, revision: crd.revision) }
        return revision
    }
}
