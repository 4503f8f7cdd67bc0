import DequeModule
import Foundation
import KubernetesAPI
import Logging
import ServiceLifecycle

/// Deletes dependents whose owners are gone and carries out Foreground and Orphan deletions, the way
/// kube-controller-manager's garbage collector does, driven by the store's watches.
///
/// It lists and watches every served resource (and each CRD's resources once the CRD appears), keeps an
/// `OwnershipGraph`, and works through a de-duplicated queue in one task:
/// - a dependent is verified against storage (owner present with the same uid?) and deleted when all its
///   owners are gone, or loses its references to the absent ones when a live owner remains;
/// - an owner marked `foregroundDeletion` has its dependents deleted (in the foreground) and loses the
///   finalizer once no dependent with `blockOwnerDeletion` remains;
/// - an owner marked `orphan` has its references removed from every dependent, then loses the finalizer.
///
/// Restart-safe: the first list verifies every dependent and re-checks every owner waiting for it, so
/// what a stopped server left behind is collected on the next start. Failed steps are retried after
/// `retryInterval` (on the injected clock) at most `maxAttempts` times; the next start tries again.
struct GarbageCollector: Service {
    let handler: ResourceHandler
    let clock: any Clock<Duration>
    var retryInterval: Duration = .seconds(1)
    var maxAttempts = 10
    let logger: Logger

    private typealias Work = OwnershipGraph.Work

    private enum Input: Sendable {
        case listed(resource: String, objects: [StoredObject])
        case events([StorageEvent])
        case retry(Work, attempt: Int)
    }

    /// Runs until graceful shutdown or cancellation.
    func run() async throws {
        let (inputs, continuation) = AsyncStream<Input>.makeStream()
        await withDiscardingTaskGroup { group in
            var followed = Set<String>()
            var state = CollectorState()
            for definition in handler.registry.all where followed.insert(definition.storageResource).inserted {
                let resource = definition.storageResource
                group.addTask { await follow(resource, into: continuation) }
            }
            for await input in inputs.cancelOnGracefulShutdown() {
                var retry: [(Work, Int)] = []
                switch input {
                case .listed(let resource, let objects):
                    state.relisted(resource, objects: objects, resolve: resolveOwner)
                    // CRDs created before this list (or while the watch was away) bring resources to follow too.
                    if resource == Self.crdResource {
                        for object in objects where followed.insert(object.key.name).inserted {
                            let resource = object.key.name
                            group.addTask { await follow(resource, into: continuation) }
                        }
                    }
                case .events(let events):
                    for event in events {
                        state.apply(event, resolve: resolveOwner)
                        // A CRD that appears brings a resource to follow.
                        if event.key.resource == Self.crdResource, event.type != .deleted,
                            followed.insert(event.key.name).inserted
                        {
                            let resource = event.key.name
                            group.addTask { await follow(resource, into: continuation) }
                        }
                    }
                case .retry(let work, let attempt):
                    state.queue.add(work, attempt: attempt)
                }
                while let (work, attempt) = state.queue.next() {
                    do {
                        for followUp in try await process(work, state: state) { state.queue.add(followUp) }
                    } catch is CancellationError {
                        break
                    } catch {
                        if attempt + 1 < maxAttempts {
                            retry.append((work, attempt + 1))
                        } else {
                            logger.warning("Garbage collection gave up", metadata: ["work": "\(work)", "error": "\(error)"])
                        }
                    }
                }
                for (work, attempt) in retry {
                    let clock = self.clock, interval = retryInterval
                    group.addTask {
                        do { try await clock.sleep(for: interval) } catch { return }
                        continuation.yield(.retry(work, attempt: attempt))
                    }
                }
            }
            continuation.finish()
            group.cancelAll()
        }
    }

    static let crdResource = "customresourcedefinitions.apiextensions.k8s.io"

    /// Lists a resource, then forwards its watch; relists when the watch expires, backs off on errors.
    private func follow(_ resource: String, into continuation: AsyncStream<Input>.Continuation) async {
        await handler.store.follow(
            resource, clock: clock, retryInterval: retryInterval, logger: logger, what: "Garbage collector watch",
            listed: { objects, _ in continuation.yield(.listed(resource: resource, objects: objects)) },
            changed: { batch in
                let relevant = batch.filter(Self.concernsCollector)
                if !relevant.isEmpty { continuation.yield(.events(relevant)) }
            })
    }

    /// Whether the collector must see a change: a deletion (the object may own others), anything with owner
    /// references before or after, an object waiting for the collector, and every CRD change.
    static func concernsCollector(_ event: StorageEvent) -> Bool {
        event.type == .deleted || event.key.resource == crdResource
            || event.object.value(at: ["metadata", "ownerReferences"]) != nil
            || event.previous?.value(at: ["metadata", "ownerReferences"]) != nil
            || OwnershipGraph.waitsForCollector(event.object)
    }

    /// Where the owner named by `ref` of the dependent at `key` is stored (nil when its kind is not served).
    private func resolveOwner(_ ref: OwnerRef, _ key: StorageKey) -> StorageKey? {
        guard let definition = handler.registry.definition(group: ref.group, kind: ref.kind) else { return nil }
        return StorageKey(resource: definition.storageResource, namespace: definition.namespaced ? key.namespace : "", name: ref.name)
    }
}

/// The collector loop's state: the graph, the queue and the uids it saw deleted recently.
struct CollectorState: Sendable {
    var graph = OwnershipGraph()
    var queue = CollectorQueue()
    /// Uids of objects seen deleted, newest last (bounded): an owner whose kind is no longer served
    /// (its CRD went away) is still known to be gone.
    private(set) var deletedUIDs = Set<String>()
    private var deletedOrder = Deque<String>()
    private let deletedLimit = 10_000

    mutating func apply(_ event: StorageEvent, resolve: (OwnerRef, StorageKey) -> StorageKey?) {
        switch event.type {
        case .added, .modified:
            for work in graph.upsert(event.key, object: event.object, resolveOwner: resolve) { queue.add(work) }
        case .deleted:
            if let uid = event.object.value(at: ["metadata", "uid"])?.stringValue { rememberDeleted(uid) }
            for work in graph.remove(event.key, object: event.object, resolveOwner: resolve) { queue.add(work) }
        }
    }

    /// A full list of one resource: everything in it is (re)recorded, what the graph had but the list lacks is gone,
    /// and dependents whose owners in it the list lacks are verified (owners deleted while the collector did not
    /// follow the resource yet, such as custom resources deleted right after their CRD appeared).
    mutating func relisted(_ resource: String, objects: [StoredObject], resolve: (OwnerRef, StorageKey) -> StorageKey?) {
        let present = Set(objects.map(\.key))
        for key in graph.keys(of: resource) where !present.contains(key) {
            for work in graph.remove(key, object: [:], resolveOwner: resolve) { queue.add(work) }
        }
        let uids = Set(objects.compactMap { $0.object.value(at: ["metadata", "uid"])?.stringValue })
        for key in graph.dependents(ownedIn: resource, absentFrom: uids, resolveOwner: resolve) { queue.add(.dependent(key)) }
        for object in objects {
            for work in graph.upsert(object.key, object: object.object, resolveOwner: resolve) { queue.add(work) }
            if !OwnerRef.of(object.object).isEmpty { queue.add(.dependent(object.key)) }
        }
    }

    private mutating func rememberDeleted(_ uid: String) {
        guard deletedUIDs.insert(uid).inserted else { return }
        deletedOrder.append(uid)
        if deletedOrder.count > deletedLimit, let oldest = deletedOrder.popFirst() { deletedUIDs.remove(oldest) }
    }
}

/// A FIFO of collector work without duplicates; each entry remembers how often it failed.
struct CollectorQueue: Sendable {
    private var order = Deque<OwnershipGraph.Work>()
    private var attempts: [OwnershipGraph.Work: Int] = [:]

    var isEmpty: Bool { order.isEmpty }

    mutating func add(_ work: OwnershipGraph.Work, attempt: Int = 0) {
        if let queued = attempts[work] {
            attempts[work] = min(queued, attempt)
            return
        }
        attempts[work] = attempt
        order.append(work)
    }

    mutating func next() -> (OwnershipGraph.Work, Int)? {
        guard let work = order.popFirst() else { return nil }
        return (work, attempts.removeValue(forKey: work) ?? 0)
    }
}
