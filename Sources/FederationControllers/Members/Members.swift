import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Logging
import ServiceLifecycle
import Synchronization

/// The one piece that reaches member clusters: a client per Datacenter (``MemberConnections``,
/// with its circuit breaker) and informer caches on the members.
///
/// Informers are started on demand (``informer(for:in:namespace:options:)``), one per kind,
/// namespace and selectors in each member, and cache only what they select. A member's informers
/// run in that member's own ``MemberSession``, a child task of this service's task group, so a
/// frozen or dead member never delays another member's cache (nor its probes, which run apart).
/// The session stops when the Datacenter is deleted; when its credentials change the same
/// informers start again over the new client. Handlers are registered once per kind and selector
/// (``addEventHandler(for:namespace:options:synced:_:)``) and attached to every member's informer,
/// so a change in a member can enqueue hub objects.
///
/// Run it as a service of the `Manager`; on shutdown every session stops and every client closes.
final class Members: Service, Sendable {
    /// Handlers for one informer key, attached to each member's informer.
    private struct Registration: Sendable {
        var attach: @Sendable (_ datacenter: String, _ informer: any SyncingService) -> Void
        var synced: @Sendable (_ datacenter: String) async -> Void
    }

    private struct State {
        var sessions: [String: MemberSession] = [:]
        var registrations: [MemberInformerKey: [Registration]] = [:]
        var finished = false
    }

    /// The member clients.
    let connections: MemberConnections
    private let state = Mutex(State())
    private let started: AsyncStream<MemberSession>
    private let continuation: AsyncStream<MemberSession>.Continuation
    private let clock: RuntimeClock
    private let watchBackoff: Backoff
    private let logger: Logger

    /// `clock` paces watch backoff and informer restarts; `watchBackoff` is each member informer's backoff after errors.
    init(connections: MemberConnections, clock: RuntimeClock, watchBackoff: Backoff, logger: Logger) {
        self.connections = connections
        self.clock = clock
        self.watchBackoff = watchBackoff
        self.logger = logger
        (started, continuation) = AsyncStream.makeStream(of: MemberSession.self)
    }

    // MARK: - Clients

    /// The member's client, built from the kubeconfig in its credentials Secret (see ``MemberConnections``).
    /// A new credentials revision stops the member's informers and starts them again over the new client.
    func connection(for name: String, secretRevision: String, credentialsSource: String = "", kubeconfig: String, source: String, now: Date) async throws -> MemberConnections.Connection {
        let connection = try await connections.connection(
            for: name, secretRevision: secretRevision, credentialsSource: credentialsSource, kubeconfig: kubeconfig, source: source, now: now)
        restartIfStale(name, connection)
        return connection
    }

    /// The current connection for `name`, if any.
    func existing(_ name: String) async -> MemberConnections.Connection? { await connections.existing(name) }

    /// Records that the fencing marker is in place through the current connection.
    func markFootprintInstalled(_ name: String) async { await connections.markFootprintInstalled(name) }

    /// Stops the member's informers, then shuts down and forgets its client.
    func remove(_ name: String) async {
        let session = state.withLock { $0.sessions.removeValue(forKey: name) }
        session?.stop()
        await connections.remove(name)
    }

    // MARK: - Informers

    /// Registers handlers for the informers over `type` in `namespace` with `options`' selectors in
    /// every member: `make(datacenter)` is attached to each member's informer when it starts, and
    /// `synced(datacenter)` runs once it has synced. Register before asking for informers.
    func addEventHandler<R: KubeResource>(
        for type: R.Type, namespace: String?, options: ListOptions,
        synced: @escaping @Sendable (_ datacenter: String) async -> Void = { _ in },
        _ make: @escaping @Sendable (_ datacenter: String) -> InformerEventHandler<R>
    ) {
        register(MemberInformerKey(type, namespace: namespace, options: options), synced: synced, make)
    }

    /// ``addEventHandler(for:namespace:options:synced:_:)`` for the unstructured informers over `resource`.
    func addEventHandler(
        for resource: GroupVersionResource, namespaced: Bool, namespace: String?, options: ListOptions = ListOptions(),
        synced: @escaping @Sendable (_ datacenter: String) async -> Void = { _ in },
        _ make: @escaping @Sendable (_ datacenter: String) -> InformerEventHandler<JSONValue>
    ) {
        register(MemberInformerKey(resource, namespaced: namespaced, namespace: namespace, options: options), synced: synced, make)
    }

    private func register<Object: Sendable>(
        _ key: MemberInformerKey, synced: @escaping @Sendable (_ datacenter: String) async -> Void,
        _ make: @escaping @Sendable (_ datacenter: String) -> InformerEventHandler<Object>
    ) {
        let registration = Registration(
            attach: { datacenter, informer in (informer as? Informer<Object>)?.addEventHandler(make(datacenter)) },
            synced: synced)
        state.withLock { $0.registrations[key, default: []].append(registration) }
    }

    /// The informer over `type` in `namespace` (nil: all) with `options`' selectors in `datacenter`'s
    /// member, started on the first request; nil while the member has no connection. Read its
    /// cache once `hasSynced`.
    func informer<R: KubeResource>(for type: R.Type, in datacenter: String, namespace: String?, options: ListOptions = ListOptions()) async -> Informer<R>? {
        let key = MemberInformerKey(type, namespace: namespace, options: options)
        return await informer(key, in: datacenter, namespace: namespace, options: options) { $0.resource(R.self) }
    }

    /// The unstructured informer over `resource` (objects of `kind`) in `namespace` of `datacenter`'s
    /// member; like ``informer(for:in:namespace:options:)``. Its cache keeps objects compacted by
    /// ``MemberCacheTransform`` (managedFields without their field sets, a copy's content shared with
    /// the object it was copied from in the source member's cache), indexed by the ReplicationRule
    /// that stamped them (``MemberCacheTransform/ruleIndex``).
    func informer(
        for resource: GroupVersionResource, namespaced: Bool, kind: String, in datacenter: String, namespace: String?, options: ListOptions = ListOptions()
    ) async -> DynamicInformer? {
        let key = MemberInformerKey(resource, namespaced: namespaced, namespace: namespace, options: options)
        let compact: @Sendable (JSONValue) -> JSONValue = { [weak self] object in
            MemberCacheTransform.compact(object) { source, name in
                self?.cached(key, in: source, name: name, namespace: object["metadata"]?["namespace"]?.stringValue)
            }
        }
        return await informer(
            key, in: datacenter, namespace: namespaced ? namespace : nil, options: options, transform: compact,
            indexes: [MemberCacheTransform.ruleIndex: MemberCacheTransform.rule(of:)]
        ) {
            $0.dynamic(resource, namespaced: namespaced, kind: kind)
        }
    }

    /// The unstructured informer over `resource` in `namespace` of `datacenter`'s member if it runs
    /// already (never starts one): for reading without waiting, such as from an event handler.
    func runningInformer(for resource: GroupVersionResource, namespaced: Bool, in datacenter: String, namespace: String?) -> DynamicInformer? {
        let key = MemberInformerKey(resource, namespaced: namespaced, namespace: namespace, options: ListOptions())
        return state.withLock { $0.sessions[datacenter]?.informer(key) } as? DynamicInformer
    }

    /// The object `name` (in `namespace`) of informer `key`'s cache in `datacenter`'s member, if that
    /// informer runs there.
    private func cached(_ key: MemberInformerKey, in datacenter: String, name: String, namespace: String?) -> JSONValue? {
        let informer = state.withLock { $0.sessions[datacenter]?.informer(key) } as? Informer<JSONValue>
        return informer?.cache.get(name: name, namespace: namespace)
    }

    private func informer<Object: Sendable>(
        _ key: MemberInformerKey, in datacenter: String, namespace: String?, options: ListOptions,
        transform: (@Sendable (Object) -> Object)? = nil, indexes: [String: InformerCache<Object>.IndexFunction] = [:],
        client makeClient: @escaping @Sendable (KubeClient) -> ObjectClient<Object>
    ) async -> Informer<Object>? {
        guard let connection = await connections.existing(datacenter) else { return nil }
        let factory: MemberSession.Factory = { [clock, watchBackoff, logger] client in
            var log = logger
            log[metadataKey: "datacenter"] = "\(datacenter)"
            let informer = Informer(
                makeClient(client), namespace: namespace, options: options, resyncPeriod: nil, runtimeClock: clock,
                watcher: WatcherConfiguration(backoff: watchBackoff, logger: log), metrics: nil, logger: log, transform: transform)
            for (name, index) in indexes { informer.cache.addIndex(name, index) }
            return informer
        }
        let informer = state.withLock { s -> (any SyncingService)? in
            guard let session = currentSession(datacenter, connection, in: &s, create: true) else { return nil }
            if let existing = session.informer(key) { return existing }
            return Self.start(key, factory, over: connection.client, in: session, registrations: s.registrations[key] ?? [])
        }
        // The member may have been removed or reconnected meanwhile: no session may outlive its connection.
        guard await connections.existing(datacenter)?.id == connection.id else {
            let orphan = state.withLock { s -> MemberSession? in
                guard s.sessions[datacenter]?.connectionID == connection.id else { return nil }
                return s.sessions.removeValue(forKey: datacenter)
            }
            orphan?.stop()
            return nil
        }
        return informer as? Informer<Object>
    }

    /// Replaces a session built on an older client with one that runs the same informers over the new client.
    private func restartIfStale(_ datacenter: String, _ connection: MemberConnections.Connection) {
        state.withLock { s in _ = currentSession(datacenter, connection, in: &s, create: false) }
    }

    /// The member's session over `connection`. A session over an older client is
    /// stopped and its informers start again in a new one; with `create`, a missing one is made.
    private func currentSession(_ datacenter: String, _ connection: MemberConnections.Connection, in s: inout State, create: Bool) -> MemberSession? {
        guard !s.finished else { return nil }
        let current = s.sessions[datacenter]
        if let current, current.connectionID == connection.id { return current }
        guard current != nil || create else { return nil }
        let session = MemberSession(datacenter: datacenter, connectionID: connection.id)
        s.sessions[datacenter] = session
        continuation.yield(session)
        if let current {
            current.stop()
            logger.info("Restarting member informers over the new credentials", metadata: ["datacenter": "\(datacenter)", "informers": "\(current.entries.count)"])
            for (key, entry) in current.entries {
                _ = Self.start(key, entry.factory, over: connection.client, in: session, registrations: s.registrations[key] ?? [])
            }
        }
        return session
    }

    /// Makes an informer over `client`, attaches the registered handlers and starts it in `session`.
    private static func start(
        _ key: MemberInformerKey, _ factory: @escaping MemberSession.Factory, over client: KubeClient, in session: MemberSession, registrations: [Registration]
    ) -> any SyncingService {
        let informer = factory(client)
        let datacenter = session.datacenter
        for r in registrations { r.attach(datacenter, informer) }
        session.start(key, MemberSession.Entry(informer: informer, factory: factory, synced: {
            for r in registrations { await r.synced(datacenter) }
        }))
        return informer
    }

    // MARK: - Service

    /// Runs every member's session in its own child task until shut down, then closes every client.
    func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await session in started {
                    group.addTask { [clock, watchBackoff, logger] in
                        await session.run(restartBackoff: watchBackoff, clock: clock, logger: logger)
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.stopAll()
        }
        stopAll()
        await connections.shutdownAll()
    }

    /// Stops every session and accepts no new one.
    private func stopAll() {
        let sessions = state.withLock { s -> [MemberSession] in
            s.finished = true
            defer { s.sessions = [:] }
            return Array(s.sessions.values)
        }
        for session in sessions { session.stop() }
        continuation.finish()
    }

    /// Shuts down every client (for a manager that never ran this service).
    func shutdownAll() async {
        stopAll()
        await connections.shutdownAll()
    }
}
