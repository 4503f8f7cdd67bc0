import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Logging
import Synchronization

/// What identifies one informer on a member cluster: the kind, the namespace and the selectors.
struct MemberInformerKey: Hashable, Sendable {
    var type: ObjectIdentifier
    /// The resource of an unstructured informer (nil for a typed one).
    var resource: GroupVersionResource?
    var namespace: String?
    var labelSelector: String?
    var fieldSelector: String?

    init<R: KubeResource>(_ type: R.Type, namespace: String?, options: ListOptions) {
        self.type = ObjectIdentifier(type)
        self.namespace = R.isNamespaced ? namespace : nil
        self.labelSelector = options.labelSelector
        self.fieldSelector = options.fieldSelector
    }

    /// The key of an unstructured informer over `resource`.
    init(_ resource: GroupVersionResource, namespaced: Bool, namespace: String?, options: ListOptions) {
        self.type = ObjectIdentifier(JSONValue.self)
        self.resource = resource
        self.namespace = namespaced ? namespace : nil
        self.labelSelector = options.labelSelector
        self.fieldSelector = options.fieldSelector
    }
}

/// The informers of one member, all over one connection (one client).
///
/// Each informer runs in its own child task of the session's task group, restarted with a backoff
/// when it fails; the session ends (and every informer with it) when it is stopped: the member's
/// Datacenter was deleted or its credentials changed. The informers cache only what they select.
final class MemberSession: Sendable {
    /// Makes an informer over a member client.
    typealias Factory = @Sendable (_ client: KubeClient) -> any SyncingService

    /// One informer, how to make it again over another client, and the callback that runs once it has synced.
    struct Entry: Sendable {
        var informer: any SyncingService
        var factory: Factory
        var synced: @Sendable () async -> Void
    }

    /// The member's Datacenter.
    let datacenter: String
    /// The connection (``MemberConnections/Connection/id``) whose client the informers use.
    let connectionID: Int
    private let state = Mutex<[MemberInformerKey: Entry]>([:])
    private let added: AsyncStream<Entry>
    private let continuation: AsyncStream<Entry>.Continuation

    init(datacenter: String, connectionID: Int) {
        self.datacenter = datacenter
        self.connectionID = connectionID
        (added, continuation) = AsyncStream.makeStream(of: Entry.self)
    }

    /// The informer with this key, if this session has started one.
    func informer(_ key: MemberInformerKey) -> (any SyncingService)? { state.withLock { $0[key]?.informer } }

    /// Every informer started so far, by key.
    var entries: [MemberInformerKey: Entry] { state.withLock { $0 } }

    /// Starts `entry` under `key` (the session's run picks it up).
    func start(_ key: MemberInformerKey, _ entry: Entry) {
        state.withLock { $0[key] = entry }
        continuation.yield(entry)
    }

    /// Ends the session: every informer is cancelled.
    func stop() { continuation.finish() }

    /// Runs each informer in its own child task until stopped or cancelled.
    func run(restartBackoff: Backoff, clock: RuntimeClock, logger: Logger) async {
        await withDiscardingTaskGroup { group in
            for await entry in added {
                group.addTask { await Self.supervise(entry, datacenter: self.datacenter, backoff: restartBackoff, clock: clock, logger: logger) }
            }
            group.cancelAll()
        }
    }

    /// Runs one informer, and its `synced` callback once it has synced.
    private static func supervise(_ entry: Entry, datacenter: String, backoff: Backoff, clock: RuntimeClock, logger: Logger) async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                do {
                    try await entry.informer.waitForSync()
                    await entry.synced()
                } catch {}
            }
            await runRestarting(entry.informer, datacenter: datacenter, backoff: backoff, clock: clock, logger: logger)
            group.cancelAll()
        }
    }

    /// Runs `informer` until it returns or is cancelled; after a failure, waits out the member's backoff and runs it again.
    private static func runRestarting(_ informer: any SyncingService, datacenter: String, backoff: Backoff, clock: RuntimeClock, logger: Logger) async {
        var backoff = backoff
        while !Task.isCancelled {
            do {
                try await informer.run()
                return
            } catch {
                if Task.isCancelled || error is CancellationError { return }
                let delay = backoff.next()
                logger.warning("Member informer failed; restarting", metadata: [
                    "datacenter": "\(datacenter)", "informer": "\(informer.name)", "error": "\(error)", "after": "\(delay)",
                ])
                do { try await clock.sleep(for: delay) } catch { return }
            }
        }
    }
}
