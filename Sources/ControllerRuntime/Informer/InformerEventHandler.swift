import Foundation
import KubernetesAPI

/// Callbacks an informer invokes as its cache changes. Keep them cheap (enqueue a key).
public struct InformerEventHandler<Object: Sendable>: Sendable {
    /// An object appeared (also for every object of the first list).
    public var onAdd: @Sendable (Object) async -> Void
    /// An object changed, or was re-listed or resynced (then old and new may be equal).
    public var onUpdate: @Sendable (_ old: Object, _ new: Object) async -> Void
    /// An object was deleted, or vanished across a relist (its last known state).
    public var onDelete: @Sendable (Object) async -> Void
    /// An object of the informer's first list (client-go's `isInInitialList`); nil: `onAdd`.
    public var onInitialAdd: (@Sendable (Object) async -> Void)?

    /// Creates a handler; omitted callbacks do nothing.
    public init(
        onAdd: @escaping @Sendable (Object) async -> Void = { _ in },
        onUpdate: @escaping @Sendable (_ old: Object, _ new: Object) async -> Void = { _, _ in },
        onDelete: @escaping @Sendable (Object) async -> Void = { _ in },
        onInitialAdd: (@Sendable (Object) async -> Void)? = nil
    ) {
        self.onAdd = onAdd
        self.onUpdate = onUpdate
        self.onDelete = onDelete
        self.onInitialAdd = onInitialAdd
    }

    /// A handler that maps every event's object to keys and hands them to `enqueue`.
    public static func mapping(_ keys: @escaping @Sendable (Object) -> [ObjectKey], to enqueue: @escaping @Sendable (ObjectKey) async -> Void) -> InformerEventHandler {
        InformerEventHandler(
            onAdd: { o in for k in keys(o) { await enqueue(k) } },
            onUpdate: { old, new in
                var seen = Set<ObjectKey>()
                for k in keys(old) + keys(new) where seen.insert(k).inserted { await enqueue(k) }
            },
            onDelete: { o in for k in keys(o) { await enqueue(k) } })
    }

    /// A handler that enqueues keys with controller-runtime's priorities: objects of the initial
    /// list and updates that keep the resourceVersion (resyncs, unchanged objects across a relist)
    /// are `QueuePriority.low`; real changes are `QueuePriority.normal`. With `statusWritesLow`
    /// (for a controller's own kind), a status-only update is low too: it is usually the reconciler's
    /// own write, and must not starve objects still waiting for their first reconcile.
    public static func prioritized(
        _ keys: @escaping @Sendable (Object) -> [ObjectKey], metadata: @escaping @Sendable (Object) -> ObjectMeta,
        statusWritesLow: Bool = false, to enqueue: @escaping @Sendable (ObjectKey, Int) async -> Void
    ) -> InformerEventHandler {
        InformerEventHandler(
            onAdd: { o in for k in keys(o) { await enqueue(k, QueuePriority.normal) } },
            onUpdate: { old, new in
                let (before, after) = (metadata(old), metadata(new))
                let unchanged = before.resourceVersion != nil && before.resourceVersion == after.resourceVersion
                let statusOnly = statusWritesLow && before.generation != nil && before.sameSpecAndMetadata(as: after)
                var seen = Set<ObjectKey>()
                for k in keys(old) + keys(new) where seen.insert(k).inserted {
                    await enqueue(k, unchanged || statusOnly ? QueuePriority.low : QueuePriority.normal)
                }
            },
            onDelete: { o in for k in keys(o) { await enqueue(k, QueuePriority.normal) } },
            onInitialAdd: { o in for k in keys(o) { await enqueue(k, QueuePriority.low) } })
    }
}

extension ObjectMeta {
    /// Whether `other` has the same generation and the metadata reconcilers act on (labels,
    /// annotations, finalizers, deletion): an update that changes none of them is a status write.
    func sameSpecAndMetadata(as other: ObjectMeta) -> Bool {
        generation == other.generation && labels == other.labels && annotations == other.annotations
            && finalizers == other.finalizers && deletionTimestamp == other.deletionTimestamp
    }
}
