import Foundation
import KubernetesAPI
import Logging

/// How to run a `ControlPlaneServer`.
///
/// ```swift
/// var config = ControlPlaneConfiguration(dataDirectory: "/var/lib/concord")
/// config.port = 0 // ephemeral; read it back with `server.port()`
/// let server = ControlPlaneServer(configuration: config)
/// ```
public struct ControlPlaneConfiguration: Sendable {
    /// Directory holding the database, the token, the generated kubeconfig and, with generated TLS,
    /// `ca.crt`, `ca.key`, `server.crt` and `server.key`. Created if missing.
    public var dataDirectory: String
    /// Address to bind; loopback by default.
    public var host: String
    /// Port to bind; 0 picks an ephemeral port.
    public var port: Int
    /// The bearer token clients must send. When nil, a random token is generated on first start
    /// and kept in `<dataDirectory>/token`, then reused on restart.
    public var token: String?
    /// When false, every request is served without a token (not recommended outside tests).
    public var requiresAuthentication: Bool
    /// A kube-apiserver static token file (`token,user,uid,"group1,group2"` a line): each listed token
    /// authenticates as its user, beside the control plane's own token.
    public var tokenFile: String?
    /// HTTPS settings; nil serves plain HTTP (the kubeconfig then carries the token in the server URL's path).
    public var tls: ServingTLS?
    /// How often a watch that asked for bookmarks (`allowWatchBookmarks=true`) gets one.
    public var bookmarkInterval: Duration
    /// The clock that paces bookmarks and watch timeouts.
    public var clock: any Clock<Duration>
    /// The wall clock used for `creationTimestamp`, `deletionTimestamp` and condition times.
    public var now: @Sendable () -> Date
    /// Opens the object store for a data directory; nil uses the SQLite store in `dataDirectory`.
    public var makeStore: (@Sendable (_ dataDirectory: String) async throws -> any ObjectStore)?
    /// Where the server logs. Tokens and secrets are never logged.
    public var logger: Logger
    /// When set, Deployments become available and Services get EndpointSlices without a kubelet
    /// (`concord server --simulate-workloads`); nil (the default) simulates nothing.
    public var simulateWorkloads: WorkloadSimulation? = nil
    /// With a store shared between servers (etcd), the Lease that elects the one server running the garbage
    /// collector (`kube-system/concord-garbage-collector`, 15 s / 10 s / 2 s, handed back on graceful shutdown)
    /// and this server's identity in it.
    /// A store of one server (SQLite) runs the collector without an election.
    public var garbageCollectorElection: LeaderElectionConfiguration = .garbageCollector()

    /// Creates a configuration with loopback bind, port 6443, authentication on and 10 s bookmarks.
    public init(
        dataDirectory: String, host: String = "127.0.0.1", port: Int = 6443, token: String? = nil,
        requiresAuthentication: Bool = true, tokenFile: String? = nil, tls: ServingTLS? = nil, bookmarkInterval: Duration = .seconds(10),
        clock: any Clock<Duration> = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() },
        makeStore: (@Sendable (_ dataDirectory: String) async throws -> any ObjectStore)? = nil,
        logger: Logger = Logger(label: "concord.server")
    ) {
        self.dataDirectory = dataDirectory
        self.host = host
        self.port = port
        self.token = token
        self.requiresAuthentication = requiresAuthentication
        self.tokenFile = tokenFile
        self.tls = tls
        self.bookmarkInterval = bookmarkInterval
        self.clock = clock
        self.now = now
        self.makeStore = makeStore
        self.logger = logger
    }

    /// `<dataDirectory>/kubeconfig`.
    public var kubeconfigPath: String { (dataDirectory as NSString).appendingPathComponent("kubeconfig") }
    /// `<dataDirectory>/token`.
    public var tokenPath: String { (dataDirectory as NSString).appendingPathComponent("token") }
}
