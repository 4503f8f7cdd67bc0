import Foundation
import KubernetesAPI

/// Reads objects of one kind: the role a reconciler needs to look at the world. Served by the
/// API (`ObjectClient`) or, cheaper, by an informer's cache (`InformerCache` in ControllerRuntime).
public protocol ObjectReader<Object>: Sendable {
    /// The object representation.
    associatedtype Object: Sendable
    /// One object; throws `KubeAPIError` with `isNotFound` when absent.
    func get(_ name: String, namespace: String?) async throws -> Object
    /// Objects in a namespace (nil: all) matching a label selector (nil: all).
    func list(in namespace: String?, matching selector: LabelSelector?) async throws -> [Object]
}

/// Writes objects of one kind (never their status).
public protocol ObjectWriter<Object>: Sendable {
    /// The object representation.
    associatedtype Object: Sendable
    /// Creates an object.
    func create(_ object: Object, namespace: String?, options: WriteOptions) async throws -> Object
    /// Replaces an object (compare-and-swap on its resourceVersion).
    func update(_ object: Object, options: WriteOptions) async throws -> Object
    /// Patches an object.
    func patch(_ name: String, namespace: String?, type: PatchType, patch: JSONValue, subresource: String?, options: WriteOptions) async throws -> Object
    /// Deletes an object; returns it while finalizers are pending.
    @discardableResult
    func delete(_ name: String, namespace: String?, options: DeleteOptions) async throws -> Object?
}

/// Writes only the `status` subresource of objects of one kind.
public protocol StatusWriter<Object>: Sendable {
    /// The object representation.
    associatedtype Object: Sendable
    /// Replaces the status (compare-and-swap on the resourceVersion).
    func updateStatus(_ object: Object, options: WriteOptions) async throws -> Object
    /// Merge-patches the status.
    func patchStatus(_ name: String, namespace: String?, patch: JSONValue, options: WriteOptions) async throws -> Object
}

extension ObjectClient: ObjectReader, ObjectWriter, StatusWriter {
    /// Lists every page from the API server (an `ObjectReader` read; prefer an informer cache).
    public func list(in namespace: String?, matching selector: LabelSelector?) async throws -> [Object] {
        try await listAll(namespace: namespace, options: ListOptions(labelSelector: selector?.queryString)).items
    }

    /// Merge-patches the `status` subresource.
    public func patchStatus(_ name: String, namespace: String? = nil, patch: JSONValue, options: WriteOptions = WriteOptions()) async throws -> Object {
        try await self.patch(name, namespace: namespace, type: .merge, patch: patch, subresource: "status", options: options)
    }
}
