import Foundation
import KubernetesAPI

/// Typed access to one resource: `ResourceClient<Datacenter>`.
public typealias ResourceClient<R: KubeResource> = ObjectClient<R>

/// Unstructured access to any resource, objects as `JSONValue`.
public typealias DynamicResourceClient = ObjectClient<JSONValue>

/// CRUD, patch and watch for one resource, generic over the object representation
/// (a typed `KubeResource` or `JSONValue`). Holds only immutable values: cheap to copy and share.
///
/// Namespaces: for a namespaced kind, `get`, `create`, `update`, `patch` and `delete` default to
/// the object's namespace, then the client's default namespace; `list` and `watch` with a nil
/// namespace cover all namespaces. Cluster-scoped kinds ignore namespaces.
public struct ObjectClient<Object: Sendable>: Sendable {
    /// The transport requests go through.
    public let transport: any KubeTransport
    /// The addressed resource.
    public let scope: ResourceScope
    /// How objects are decoded and encoded.
    public let codec: ObjectCodec<Object>
    /// The namespace used when none is given (the kubeconfig context's).
    public let defaultNamespace: String
    /// The pure request builder for this resource.
    public var requests: RequestBuilder { RequestBuilder(scope) }

    /// Creates a client; usually obtained from `KubeClient.resource(_:)` or `KubeClient.dynamic(_:namespaced:)`.
    public init(transport: any KubeTransport, scope: ResourceScope, codec: ObjectCodec<Object>, defaultNamespace: String = "default") {
        self.transport = transport
        self.scope = scope
        self.codec = codec
        self.defaultNamespace = defaultNamespace
    }

    /// The namespace to address for a single object.
    func objectNamespace(_ explicit: String?, of object: Object? = nil) -> String? {
        guard scope.isNamespaced else { return nil }
        if let explicit, !explicit.isEmpty { return explicit }
        if let object, let ns = codec.metadata(object).namespace, !ns.isEmpty { return ns }
        return defaultNamespace
    }

    /// GET one object. Throws `KubeAPIError` (`isNotFound`) when it does not exist.
    public func get(_ name: String, namespace: String? = nil) async throws -> Object {
        try await perform(requests.get(namespace: objectNamespace(namespace), name: name))
    }

    /// LIST one page; a nil namespace lists all namespaces. Returns items and the list's resourceVersion.
    /// Items that do not decode are set apart in `undecodable`; the rest are returned.
    public func list(namespace: String? = nil, options: ListOptions = ListOptions()) async throws -> ObjectList<Object> {
        let data = try await sendChecked(requests.list(namespace: scope.isNamespaced ? namespace : nil, options: options))
        do {
            let list = try codec.decodeList(data)
            let meta = list.metadata
            return ObjectList(
                items: list.items, resourceVersion: meta.resourceVersion ?? "", continueToken: meta.continue,
                remainingItemCount: meta.remainingItemCount, undecodable: list.undecodable)
        } catch {
            throw KubeTransportError(.invalidResponse, "cannot decode \(scope.resource) list: \(error)")
        }
    }

    /// LIST every page, following continue tokens; the resourceVersion is the first page's.
    /// When a continue token expires (410) midway, the whole list is read again in one request at
    /// the originally requested resourceVersion (client-go's pager with `FullListIfExpired`).
    public func listAll(namespace: String? = nil, options: ListOptions = ListOptions(), pageSize: Int = 500) async throws -> ObjectList<Object> {
        var opts = options
        opts.limit = pageSize
        var page = try await list(namespace: namespace, options: opts)
        var all = page.items
        var undecodable = page.undecodable
        let rv = page.resourceVersion
        while let token = page.continueToken, !token.isEmpty {
            opts.continue = token
            opts.resourceVersion = nil
            opts.resourceVersionMatch = nil
            do {
                page = try await list(namespace: namespace, options: opts)
            } catch let error as KubeAPIError where error.isGone {
                var full = options
                full.limit = nil
                full.continue = nil
                let whole = try await list(namespace: namespace, options: full)
                return ObjectList(items: whole.items, resourceVersion: whole.resourceVersion, undecodable: whole.undecodable)
            }
            all += page.items
            undecodable += page.undecodable
        }
        return ObjectList(items: all, resourceVersion: rv, undecodable: undecodable)
    }

    /// POST a new object. Throws `KubeAPIError` (`isAlreadyExists`) when the name is taken.
    public func create(_ object: Object, namespace: String? = nil, options: WriteOptions = WriteOptions()) async throws -> Object {
        let body = try codec.encode(object)
        return try await perform(requests.create(namespace: objectNamespace(namespace, of: object), body: body, options: options))
    }

    /// PUT the object; its `metadata.resourceVersion` makes this a compare-and-swap (`isConflict` on a stale one).
    public func update(_ object: Object, options: WriteOptions = WriteOptions()) async throws -> Object {
        try await put(object, subresource: nil, options: options)
    }

    /// PUT the object's `status` subresource; the server ignores spec changes.
    public func updateStatus(_ object: Object, options: WriteOptions = WriteOptions()) async throws -> Object {
        try await put(object, subresource: "status", options: options)
    }

    private func put(_ object: Object, subresource: String?, options: WriteOptions) async throws -> Object {
        let meta = codec.metadata(object)
        guard let name = meta.name, !name.isEmpty else {
            throw KubeUsageError("cannot update a \(scope.resource.resource) object without metadata.name")
        }
        let body = try codec.encode(object)
        return try await perform(requests.update(namespace: objectNamespace(nil, of: object), name: name, body: body, subresource: subresource, options: options))
    }

    /// PATCH with a raw body of the given type (merge, JSON patch, strategic merge or apply).
    public func patch(_ name: String, namespace: String? = nil, type: PatchType, body: Data, subresource: String? = nil, options: WriteOptions = WriteOptions()) async throws -> Object {
        if case .apply = type, options.fieldManager == nil {
            throw KubeUsageError("an apply patch needs a field manager; set WriteOptions.fieldManager")
        }
        return try await perform(requests.patch(namespace: objectNamespace(namespace), name: name, type: type, body: body, subresource: subresource, options: options))
    }

    /// PATCH with a JSON document (a merge patch object, or a JSON-patch operation array).
    public func patch(_ name: String, namespace: String? = nil, type: PatchType, patch: JSONValue, subresource: String? = nil, options: WriteOptions = WriteOptions()) async throws -> Object {
        try await self.patch(name, namespace: namespace, type: type, body: patch.jsonData(), subresource: subresource, options: options)
    }

    /// Server-side apply of the object (or of its status with `subresource: "status"`).
    public func apply(_ object: Object, fieldManager: String, force: Bool = false, subresource: String? = nil) async throws -> Object {
        let meta = codec.metadata(object)
        guard let name = meta.name, !name.isEmpty else {
            throw KubeUsageError("cannot apply a \(scope.resource.resource) object without metadata.name")
        }
        return try await patch(name, namespace: objectNamespace(nil, of: object), type: .apply(force: force), body: codec.encode(object), subresource: subresource, options: WriteOptions(fieldManager: fieldManager))
    }

    /// DELETE an object. Returns the object when the server still has it (finalizers pending),
    /// nil when the server answered with a Status (deleted).
    @discardableResult
    public func delete(_ name: String, namespace: String? = nil, options: DeleteOptions = DeleteOptions()) async throws -> Object? {
        let data = try await sendChecked(requests.delete(namespace: objectNamespace(namespace), name: name, options: options))
        if let probe = try? JSONDecoder().decode(KindProbe.self, from: data), probe.kind == "Status" { return nil }
        return try? codec.decode(data)
    }

    /// Sends a request, throws `KubeAPIError` on a non-2xx status, returns the body.
    func sendChecked(_ request: KubeRequest) async throws -> Data {
        let response = try await transport.send(request)
        guard (200..<300).contains(response.statusCode) else {
            throw KubeAPIError(statusCode: response.statusCode, body: response.body)
        }
        return response.body
    }

    private func perform(_ request: KubeRequest) async throws -> Object {
        let data = try await sendChecked(request)
        do {
            return try codec.decode(data)
        } catch {
            throw KubeTransportError(.invalidResponse, "cannot decode \(scope.resource) from \(request.method.rawValue) \(request.path): \(error)")
        }
    }
}

private struct KindProbe: Decodable { var kind: String? }
