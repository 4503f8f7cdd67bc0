import FederationAPI
import Foundation
import KubeClient

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
