import Foundation
import KubernetesAPI
import Logging

/// Settings of a `Watcher`.
public struct WatcherConfiguration: Sendable {
    /// Backoff after errors (client-go: 800 ms → 30 s, jittered).
    public var backoff: Backoff
    /// Watches shorter than this without events count as failures.
    public var minimumWatchDuration: Duration
    /// Server-side timeout of each WATCH, in seconds (client-go picks 300–600 s at random).
    public var watchTimeoutSeconds: @Sendable () -> Int
    /// Page size of the LIST.
    public var pageSize: Int
    /// The clock backoff sleeps on.
    public var clock: RuntimeClock
    /// Where retries are logged.
    public var logger: Logger
    /// Called for every listed item or watch event whose object the typed decoder refuses (before
    /// the list that left it out is yielded); nil logs a warning instead. Such objects are never
    /// yielded, and never stop the list or the watch.
    public var undecodable: (@Sendable (UndecodableObject) async -> Void)?
    /// Told `true` when a list succeeds or a watch opens, `false` when a list, a watch or its stream
    /// fails (a watch that ends cleanly, idles out or expires with 410 is no failure): while false,
    /// what was listed and watched may be stale.
    public var connected: (@Sendable (Bool) -> Void)?

    /// Creates settings with client-go's defaults.
    public init(
        backoff: Backoff = .reflector, minimumWatchDuration: Duration = .seconds(1),
        watchTimeoutSeconds: @escaping @Sendable () -> Int = { Int.random(in: 300..<600) }, pageSize: Int = 500,
        clock: RuntimeClock = .continuous, logger: Logger = Logger(label: "concord.watcher"),
        undecodable: (@Sendable (UndecodableObject) async -> Void)? = nil, connected: (@Sendable (Bool) -> Void)? = nil
    ) {
        self.undecodable = undecodable
        self.connected = connected
        self.backoff = backoff
        self.minimumWatchDuration = minimumWatchDuration
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.pageSize = pageSize
        self.clock = clock
        self.logger = logger
    }
}

/// List-then-watch as an `AsyncSequence`: yields `.relisted` after every full list, then the
/// changes; re-watches after clean closes, relists after 410, backs off after errors, forever.
/// The sequence ends (returns nil) only when the consuming task is cancelled; cancellation closes
/// the HTTP stream at once. Nothing is buffered beyond the current list and the current chunk.
///
/// ```swift
/// for try await event in client.resource(Datacenter.self).watcher() {
///     switch event { case .relisted(let all, _): …; case .added(let dc): …; default: … }
/// }
/// ```
public struct Watcher<Object: Sendable>: AsyncSequence, Sendable {
    /// A watcher event.
    public typealias Element = WatcherEvent<Object>
    let client: ObjectClient<Object>
    let namespace: String?
    let options: ListOptions
    let configuration: WatcherConfiguration

    /// Iterates; not shareable between tasks.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let watcher: Watcher<Object>
        var machine: WatcherStateMachine
        var stream: WatchEventStream<Object>.AsyncIterator?
        var streamStart: Duration = .zero
        var streamEvents = 0

        /// The next event; nil once the task is cancelled.
        public mutating func next() async throws -> WatcherEvent<Object>? {
            let c = watcher.configuration
            while !Task.isCancelled {
                if var s = stream {
                    do {
                        let event = try await s.next()
                        stream = s
                        guard let event else {
                            stream = nil
                            machine.streamEnded(receivedEvents: streamEvents > 0, lasted: c.clock.now - streamStart, now: c.clock.now)
                            continue
                        }
                        streamEvents += 1
                        if case .error(let status) = event {
                            stream = nil
                            c.logger.debug("watch ended by the server", metadata: ["resource": "\(watcher.client.scope.resource)", "reason": "\(status.reason ?? "")", "message": "\(status.message ?? "")"])
                        }
                        if let out = machine.received(event, metadata: watcher.client.codec.metadata, now: c.clock.now) { return out }
                    } catch let bad as UndecodableObject {
                        stream = s
                        streamEvents += 1
                        machine.skipped(resourceVersion: bad.metadata.resourceVersion)
                        await watcher.skip(bad)
                    } catch {
                        stream = nil
                        if Task.isCancelled || error is CancellationError { return nil }
                        if (error as? KubeTransportError)?.code == .timeout {
                            c.logger.debug("watch idle; re-watching", metadata: ["resource": "\(watcher.client.scope.resource)"])
                        } else {
                            c.logger.warning("watch stream failed", metadata: ["resource": "\(watcher.client.scope.resource)", "error": "\(error)"])
                            c.connected?(false)
                        }
                        machine.streamFailed(error, now: c.clock.now)
                    }
                    continue
                }
                switch machine.nextAction() {
                case .sleep(let d):
                    do { try await c.clock.sleep(for: d) } catch { return nil }
                case .list(let rv):
                    do {
                        var opts = watcher.options
                        opts.resourceVersion = rv.isEmpty ? nil : rv
                        opts.resourceVersionMatch = nil
                        // client-go pages lists at "0" and "" and asks for everything at a specific
                        // version, which the API server's watch cache can serve.
                        let pageSize = (rv.isEmpty || rv == "0") ? c.pageSize : 0
                        let list = try await watcher.client.listAll(namespace: watcher.namespace, options: opts, pageSize: pageSize)
                        machine.listSucceeded(resourceVersion: list.resourceVersion)
                        c.connected?(true)
                        for bad in list.undecodable { await watcher.skip(bad) }
                        return .relisted(items: list.items, resourceVersion: list.resourceVersion)
                    } catch {
                        if Task.isCancelled || error is CancellationError { return nil }
                        c.logger.warning("list failed; retrying", metadata: ["resource": "\(watcher.client.scope.resource)", "resourceVersion": "\(rv)", "error": "\(error)"])
                        c.connected?(false)
                        machine.listFailed(error, now: c.clock.now)
                    }
                case .watch(let rv):
                    do {
                        var opts = watcher.options
                        opts.resourceVersion = rv
                        opts.timeoutSeconds = c.watchTimeoutSeconds()
                        let events = try await watcher.client.watchEvents(namespace: watcher.namespace, options: WatchOptions(list: opts))
                        stream = events.makeAsyncIterator()
                        streamStart = c.clock.now
                        streamEvents = 0
                        c.connected?(true)
                    } catch {
                        if Task.isCancelled || error is CancellationError { return nil }
                        if !error.isKubeGone {
                            c.logger.warning("watch failed; retrying", metadata: ["resource": "\(watcher.client.scope.resource)", "error": "\(error)"])
                            c.connected?(false)
                        }
                        machine.watchOpenFailed(error, now: c.clock.now)
                    }
                }
            }
            return nil
        }
    }

    /// Hands an undecodable object to the configured callback, or logs it.
    func skip(_ bad: UndecodableObject) async {
        if let report = configuration.undecodable {
            await report(bad)
        } else {
            configuration.logger.warning("skipped an object that cannot be decoded", metadata: ["resource": "\(client.scope.resource)", "object": "\(bad.key)", "error": "\(bad.message)"])
        }
    }

    /// Starts iterating from `.empty` (a full list first).
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(watcher: self, machine: WatcherStateMachine(backoff: configuration.backoff, minimumWatchDuration: configuration.minimumWatchDuration))
    }
}

extension ObjectClient {
    /// A list-then-watch `Watcher` over a namespace (nil: all namespaces) with optional selectors
    /// (`options.labelSelector`, `options.fieldSelector`; its resourceVersion is ignored).
    public func watcher(namespace: String? = nil, options: ListOptions = ListOptions(), configuration: WatcherConfiguration = WatcherConfiguration()) -> Watcher<Object> {
        Watcher(client: self, namespace: scope.isNamespaced ? namespace : nil, options: options, configuration: configuration)
    }
}
