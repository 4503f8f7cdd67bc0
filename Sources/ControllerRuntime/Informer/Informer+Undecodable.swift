import Foundation
import KubeClient
import KubernetesAPI
import Synchronization

/// What an informer reports about objects it cannot decode.
public enum DecodeFailureEvent: Sendable {
    /// An object of `resource` could not be decoded and was skipped (when first seen, and at each
    /// later watch event while it stays undecodable).
    case skipped(UndecodableObject, resource: GroupVersionResource)
    /// An object reported as skipped decodes again; it is back in the cache.
    case recovered(ObjectKey, resource: GroupVersionResource)
}

/// Handlers of objects an informer could not decode. A factory shares one list with all its informers.
final class DecodeFailureHandlers: Sendable {
    private let list = Mutex<[@Sendable (DecodeFailureEvent) async -> Void]>([])
    /// Adds a handler.
    func add(_ handler: @escaping @Sendable (DecodeFailureEvent) async -> Void) { list.withLock { $0.append(handler) } }
    /// Every handler, in order.
    var all: [@Sendable (DecodeFailureEvent) async -> Void] { list.withLock { $0 } }
}

extension Informer {
    /// Registers a handler for objects the typed decoder refuses (a number out of range, a wrong
    /// type). What the informer does with such an object:
    /// - it is never put in the cache, and the rest of the list and watch go on;
    /// - a cached object modified into an undecodable one leaves the cache as if deleted (handlers
    ///   get `onDelete` with its last good state), so reconcilers stop acting on stale content;
    /// - each problem is logged and counted in `concord_informer_decode_errors_total{resource}` once
    ///   per object, generation and error — not on every relist, nor again after a write to its
    ///   status — and handed to the handlers as `.skipped` then and at every later watch event of
    ///   the still undecodable object (handlers must be idempotent);
    /// - when a later version decodes, the handlers get `.recovered`, then it comes back as an
    ///   ordinary add.
    public func addDecodeFailureHandler(_ handler: @escaping @Sendable (DecodeFailureEvent) async -> Void) {
        decodeFailureHandlers[0].add(handler)
    }

    /// An object was skipped by the watcher: keep it out of the cache and report it once.
    func skipped(_ bad: UndecodableObject) async {
        let meta = bad.metadata
        let key = ObjectKey(meta)
        if bad.eventType != nil, let old = cache.remove(key) {
            // A listed object that turned bad leaves through the relist's own delta instead.
            await deliverDelete(old)
        }
        if bad.eventType == .deleted {
            reportedProblems.withLock { _ = $0.removeValue(forKey: key) }
            return
        }
        let problem = "\(meta.uid ?? "")/\(meta.generation.map { "\($0)" } ?? meta.resourceVersion ?? "")/\(bad.message)"
        let isNew = reportedProblems.withLock { reported in
            guard reported[key] != problem else { return false }
            reported[key] = problem
            return true
        }
        guard isNew else {
            // Known already: not logged or counted again, but a watch event of it still reaches the
            // handlers, which must be idempotent — a write by someone else (a status patch racing the
            // report) may have removed what a handler put on the object.
            if bad.eventType != nil { await notify(.skipped(bad, resource: resource)) }
            return
        }
        logger.error(
            "Skipped an object that cannot be decoded",
            metadata: [
                "informer": "\(name)", "object": "\(key)", "resourceVersion": "\(meta.resourceVersion ?? "")",
                "field": "\(bad.fieldPath)", "error": "\(bad.reason)",
            ])
        decodeErrors?.increment()
        await notify(.skipped(bad, resource: resource))
    }

    /// Objects that decode (again): the ones reported before are announced as recovered, and
    /// would be reported afresh if they broke later. `deleted` ones are only forgotten.
    func decoded(_ objects: [Object], deleted: Bool = false) async {
        guard reportedProblems.withLock({ !$0.isEmpty }) else { return }
        let keys = objects.map { cache.key(of: $0) }
        let recovered = reportedProblems.withLock { reported in keys.filter { reported.removeValue(forKey: $0) != nil } }
        guard !deleted else { return }
        for key in recovered {
            logger.info("An object that could not be decoded decodes again", metadata: ["informer": "\(name)", "object": "\(key)"])
            await notify(.recovered(key, resource: resource))
        }
    }

    private func notify(_ event: DecodeFailureEvent) async {
        for handlers in decodeFailureHandlers {
            for handle in handlers.all { await handle(event) }
        }
    }
}
