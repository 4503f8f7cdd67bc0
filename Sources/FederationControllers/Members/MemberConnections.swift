import FederationAPI
import Foundation
import KubeClient
import Logging

/// One API client per member datacenter, built from the kubeconfig in its credentials Secret.
///
/// Each member has its own HTTP connection pool, so a member that hangs holds only its own
/// connections. A client is rebuilt when the Secret changes (its resourceVersion) and shut down
/// when the datacenter goes away.
///
/// Each client has a circuit breaker (`breaker`): after consecutive transport failures (timeouts,
/// refused or dropped connections) requests to that member fail at once, except one trial per
/// cooldown, so callers sharing a hung member's client are not held up by its timeouts.
actor MemberConnections {
    /// Opens after 3 consecutive transport failures; one trial request per second after that
    /// (the default probe period, so each probe can be the trial).
    static let defaultBreaker = CircuitBreakerSettings(failureThreshold: 3, openDuration: .seconds(1))

    /// A member's client and the Secret revision it was built from.
    struct Connection: Sendable {
        /// Identifies this client: a new client (new credentials, or after a removal) gets a new id.
        var id: Int
        var client: KubeClient
        var secretRevision: String
        /// The Datacenter's ``FederationAPI/Datacenter/credentialsSource`` when the Secret was last read.
        var credentialsSource: String
        /// Where it connects, for messages.
        var server: String
        /// When the credentials Secret was last read.
        var checkedAt: Date
        /// Whether the fencing marker was installed through this connection.
        var footprintInstalled = false
    }

    private var connections: [String: Connection] = [:]
    private var lastID = 0
    private let logger: Logger
    private let breaker: CircuitBreakerSettings?
    private let clock: RuntimeClock

    /// `clock` times the breakers' cooldowns; a nil `breaker` turns them off.
    init(logger: Logger, breaker: CircuitBreakerSettings? = MemberConnections.defaultBreaker, clock: RuntimeClock = .continuous) {
        self.logger = logger
        self.breaker = breaker
        self.clock = clock
    }

    /// The existing connection for `name` if built from `secretRevision`, else a new one from
    /// `kubeconfig`; either way it records that the Secret was read at `now` for `credentialsSource`.
    func connection(for name: String, secretRevision: String, credentialsSource: String = "", kubeconfig: String, source: String, now: Date) async throws -> Connection {
        if var existing = connections[name], existing.secretRevision == secretRevision {
            existing.checkedAt = now
            existing.credentialsSource = credentialsSource
            connections[name] = existing
            return existing
        }
        var configuration = try ClientConfiguration.fromKubeconfig(text: kubeconfig, source: source)
        configuration.circuitBreaker = breaker
        var log = logger
        log[metadataKey: "datacenter"] = "\(name)"
        let client = try KubeClient(configuration: configuration, logger: log, clock: clock)
        lastID += 1
        let connection = Connection(
            id: lastID, client: client, secretRevision: secretRevision, credentialsSource: credentialsSource, server: configuration.displayServer, checkedAt: now)
        if let old = connections.updateValue(connection, forKey: name) {
            try? await old.client.shutdown()
        }
        logger.info("Connected to member", metadata: ["datacenter": "\(name)", "server": "\(connection.server)"])
        return connection
    }

    /// The current connection for `name`, if any.
    func existing(_ name: String) -> Connection? { connections[name] }

    /// Records that the fencing marker is in place through the current connection.
    func markFootprintInstalled(_ name: String) { connections[name]?.footprintInstalled = true }

    /// Shuts down and forgets the connection for `name`.
    func remove(_ name: String) async {
        if let old = connections.removeValue(forKey: name) { try? await old.client.shutdown() }
    }

    /// Shuts down every connection.
    func shutdownAll() async {
        for (_, c) in connections { try? await c.client.shutdown() }
        connections = [:]
    }
}
