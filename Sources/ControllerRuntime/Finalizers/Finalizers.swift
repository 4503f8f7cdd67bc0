import Foundation
import KubeClient
import KubernetesAPI

/// controller-runtime's `controllerutil.AddFinalizer`/`RemoveFinalizer`, written to the API
/// server at once: a JSON merge patch of `metadata.finalizers` that carries the object's
/// `resourceVersion`, so the write fails with 409 Conflict when the object changed since it was
/// read (the finalizer list is then read again on the next reconcile, never merged blindly).
extension ObjectWriter where Object: KubeResource {
    /// Adds `finalizer` to `object` when it is missing. Returns the written object, or nil when
    /// the finalizer was already there (nothing is sent).
    @discardableResult
    public func ensureFinalizer(_ finalizer: String, on object: Object) async throws -> Object? {
        var meta = object.metadata
        guard meta.addFinalizer(finalizer) else { return nil }
        return try await patch(
            meta.name ?? "", namespace: meta.namespace, type: .merge, patch: Finalizers.patch(meta), subresource: nil, options: WriteOptions())
    }

    /// Removes `finalizer` from `object` when it is there. Returns the written object, or nil when
    /// there was nothing to remove or the object is already gone (its last finalizer released).
    @discardableResult
    public func removeFinalizer(_ finalizer: String, from object: Object) async throws -> Object? {
        var meta = object.metadata
        guard meta.removeFinalizer(finalizer) else { return nil }
        do {
            return try await patch(
                meta.name ?? "", namespace: meta.namespace, type: .merge, patch: Finalizers.patch(meta), subresource: nil, options: WriteOptions())
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }
}

/// The finalizer patches of ``ObjectWriter/ensureFinalizer(_:on:)`` and ``ObjectWriter/removeFinalizer(_:from:)``.
public enum Finalizers {
    /// `{"metadata": {"finalizers": [...] or null, "resourceVersion": "..."}}` for `meta`'s finalizers.
    public static func patch(_ meta: ObjectMeta) -> JSONValue {
        let list = meta.finalizers ?? []
        return [
            "metadata": [
                "finalizers": list.isEmpty ? .null : .array(list.map { .string($0) }),
                "resourceVersion": .string(meta.resourceVersion ?? ""),
            ],
        ]
    }
}

/// Finalizer writes through a client that can also read: after a 409 Conflict the object is read
/// again from the API server (not from a cache that may still be behind the write that won) and the
/// change is tried again on that copy, at most three times in all, as client-go's
/// `retry.RetryOnConflict` does. Nothing is merged blindly: each try carries the resourceVersion
/// it was computed from.
extension ObjectWriter where Self: ObjectReader, Object: KubeResource {
    /// Adds `finalizer` when it is missing, reading the object again after a conflict. Returns the
    /// written object, or nil when the finalizer is already there.
    @discardableResult
    public func ensureFinalizer(_ finalizer: String, on object: Object) async throws -> Object? {
        try await retryingConflicts(object) { current in
            var meta = current.metadata
            guard meta.addFinalizer(finalizer) else { return nil }
            return try await patch(meta.name ?? "", namespace: meta.namespace, type: .merge, patch: Finalizers.patch(meta), subresource: nil, options: WriteOptions())
        }
    }

    /// Removes `finalizer` when it is there, reading the object again after a conflict. Returns the
    /// written object, or nil when there was nothing to remove or the object is gone.
    @discardableResult
    public func removeFinalizer(_ finalizer: String, from object: Object) async throws -> Object? {
        do {
            return try await retryingConflicts(object) { current in
                var meta = current.metadata
                guard meta.removeFinalizer(finalizer) else { return nil }
                return try await patch(meta.name ?? "", namespace: meta.namespace, type: .merge, patch: Finalizers.patch(meta), subresource: nil, options: WriteOptions())
            }
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }

    private func retryingConflicts(_ object: Object, _ write: (Object) async throws -> Object?) async throws -> Object? {
        var current = object
        var attempt = 1
        while true {
            do {
                return try await write(current)
            } catch let error as KubeAPIError where error.isConflict && attempt < 3 {
                attempt += 1
                current = try await get(object.metadata.name ?? "", namespace: object.metadata.namespace)
            }
        }
    }
}
