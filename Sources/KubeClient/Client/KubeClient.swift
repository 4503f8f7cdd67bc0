import Foundation
import KubernetesAPI
import Logging

/// A client for one Kubernetes API server: typed and dynamic resource access, health probes.
///
/// ```swift
/// let client = try KubeClient(kubeconfigPath: "/path/to/kubeconfig")
/// defer { … try await client.shutdown() }
/// let dcs = try await client.resource(Datacenter.self).list()
/// ```
/// A value type holding only immutable references; copy it freely. Create one per API server
/// and call `shutdown()` once when done (it owns one HTTP connection pool).
public struct KubeClient: Sendable {
    /// The transport every request goes through.
    public let transport: any KubeTransport
    /// The namespace used when none is given.
    public let defaultNamespace: String
    /// The configuration the client was built from, if built from one.
    public let configuration: ClientConfiguration?
    private let owned: [HTTPKubeTransport]
    /// The circuit breaker in front of the HTTP transport, when the configuration enables one.
    public let circuitBreaker: CircuitBreakerTransport?

    /// A client over an HTTP transport built from a configuration; `observer` sees every request's
    /// outcome; `clock` times the circuit breaker's cooldown, if the configuration enables one.
    public init(configuration: ClientConfiguration, logger: Logger = Logger(label: "concord.kubeclient"), observer: (any KubeRequestObserver)? = nil, clock: RuntimeClock = .continuous) throws {
        let servers = try configuration.servers.map { url in
            var one = configuration
            one.server = url
            one.alternateServers = []
            return try HTTPKubeTransport(configuration: one, logger: logger)
        }
        // Each attempt is throttled, then counted; retries wrap both (client-go's order). Several
        // servers of one cluster sit under all of it: a retry may meet the next server.
        var layered: any KubeTransport = servers[0]
        if servers.count > 1 {
            layered = FailoverTransport(
                endpoints: zip(configuration.servers, servers).map { FailoverTransport.Endpoint(name: ClientConfiguration.redact($0), transport: $1) },
                logger: logger)
        }
        var breaker: CircuitBreakerTransport?
        if let settings = configuration.circuitBreaker {
            breaker = CircuitBreakerTransport(base: layered, settings: settings, clock: clock)
            layered = breaker!
        }
        if configuration.qps > 0 { layered = RateLimitedTransport(base: layered, qps: configuration.qps, burst: configuration.burst) }
        if let observer { layered = InstrumentedTransport(base: layered, host: InstrumentedTransport.hostLabel(of: configuration.server), observer: observer) }
        if configuration.maxRetries > 0 { layered = RetryingTransport(base: layered, maxRetries: configuration.maxRetries) }
        self.transport = layered
        self.owned = servers
        self.circuitBreaker = breaker
        self.defaultNamespace = configuration.namespace
        self.configuration = configuration
    }

    /// A client loading its configuration with `ClientConfiguration.load` (`--kubeconfig`,
    /// `KUBECONFIG`, in-cluster, `~/.kube/config`).
    public init(kubeconfigPath: String? = nil, context: String? = nil, environment: ConfigEnvironment = .process, logger: Logger = Logger(label: "concord.kubeclient")) throws {
        try self.init(configuration: ClientConfiguration.load(kubeconfigPath: kubeconfigPath, context: context, environment: environment), logger: logger)
    }

    /// A client over any transport (tests use fakes).
    public init(transport: any KubeTransport, defaultNamespace: String = "default") {
        self.transport = transport
        self.owned = []
        self.circuitBreaker = transport as? CircuitBreakerTransport
        self.defaultNamespace = defaultNamespace
        self.configuration = nil
    }

    /// The HTTP transport under the retry, rate-limit and instrumentation layers, if this client created
    /// one (the first server's, when the configuration names several).
    public var httpTransport: HTTPKubeTransport? { owned.first }

    /// Closes the connection pools if this client created them. Call once, after the last request.
    public func shutdown() async throws {
        var failure: (any Error)?
        for transport in owned {
            do { try await transport.shutdown() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    /// Typed access to a resource.
    public func resource<R: KubeResource>(_ type: R.Type) -> ResourceClient<R> {
        ObjectClient(transport: transport, scope: .of(R.self), codec: .typed, defaultNamespace: defaultNamespace)
    }

    /// Unstructured access to any resource; `kind` fills in missing `kind` fields on writes.
    public func dynamic(_ resource: GroupVersionResource, namespaced: Bool, kind: String? = nil) -> DynamicResourceClient {
        ObjectClient(
            transport: transport, scope: ResourceScope(resource, namespaced: namespaced),
            codec: .dynamic(apiVersion: resource.apiVersion, kind: kind), defaultNamespace: defaultNamespace)
    }

    /// Sends a request built elsewhere; throws `KubeAPIError` on a non-2xx status.
    public func send(_ request: KubeRequest) async throws -> KubeResponse {
        let response = try await transport.send(request)
        guard (200..<300).contains(response.statusCode) else {
            throw KubeAPIError(statusCode: response.statusCode, body: response.body)
        }
        return response
    }
}
