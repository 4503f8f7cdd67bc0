import Foundation
import KubernetesAPI

/// Builds `KubeRequest` values for one resource scope. Pure: no I/O, no state.
///
/// ```swift
/// let b = RequestBuilder(ResourceScope(GroupVersionResource(group: "", version: "v1", resource: "configmaps"), namespaced: true))
/// let r = b.list(namespace: "default", options: ListOptions(labelSelector: "app=web"))
/// // GET /api/v1/namespaces/default/configmaps?labelSelector=app%3Dweb
/// ```
public struct RequestBuilder: Sendable, Hashable {
    /// The resource addressed.
    public var scope: ResourceScope

    /// Creates a builder for a scope.
    public init(_ scope: ResourceScope) { self.scope = scope }

    /// GET one object (or one of its subresources).
    public func get(namespace: String?, name: String, subresource: String? = nil) -> KubeRequest {
        KubeRequest(method: .get, path: scope.path(namespace: namespace, name: name, subresource: subresource))
    }

    /// GET a collection; a nil namespace lists all namespaces of a namespaced kind.
    public func list(namespace: String?, options: ListOptions = ListOptions()) -> KubeRequest {
        KubeRequest(method: .get, path: scope.path(namespace: namespace), query: options.queryItems)
    }

    /// GET a collection with `watch=true`; the response streams newline-delimited watch events.
    public func watch(namespace: String?, options: WatchOptions = WatchOptions()) -> KubeRequest {
        KubeRequest(method: .get, path: scope.path(namespace: namespace), query: options.queryItems)
    }

    /// POST a new object to its collection.
    public func create(namespace: String?, body: Data, options: WriteOptions = WriteOptions()) -> KubeRequest {
        KubeRequest(
            method: .post, path: scope.path(namespace: namespace), query: options.queryItems,
            body: body, contentType: "application/json")
    }

    /// PUT an object (or its `status` subresource) in place.
    public func update(namespace: String?, name: String, body: Data, subresource: String? = nil, options: WriteOptions = WriteOptions()) -> KubeRequest {
        KubeRequest(
            method: .put, path: scope.path(namespace: namespace, name: name, subresource: subresource),
            query: options.queryItems, body: body, contentType: "application/json")
    }

    /// PATCH an object (or a subresource). Apply patches add `force=true` when asked.
    public func patch(
        namespace: String?, name: String, type: PatchType, body: Data, subresource: String? = nil,
        options: WriteOptions = WriteOptions()
    ) -> KubeRequest {
        var q = options.queryItems
        if case .apply(let force) = type, force { q.append(QueryItem("force", "true")) }
        return KubeRequest(
            method: .patch, path: scope.path(namespace: namespace, name: name, subresource: subresource),
            query: q, body: body, contentType: type.contentType)
    }

    /// DELETE an object; the options travel as a `DeleteOptions` body.
    public func delete(namespace: String?, name: String, options: DeleteOptions = DeleteOptions()) throws -> KubeRequest {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return KubeRequest(
            method: .delete, path: scope.path(namespace: namespace, name: name),
            body: try encoder.encode(options), contentType: "application/json")
    }
}
