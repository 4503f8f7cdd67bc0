import Foundation
import Hummingbird
import HTTPTypes
import KubernetesAPI
import Logging

/// The HTTP front of the control plane: authentication, routing by Kubernetes path, content negotiation
/// and Status error bodies.
struct APIResponder: HTTPResponder {
    typealias Context = APIRequestContext

    let handler: ResourceHandler
    let authenticator: Authenticator
    let authorizer: RBACAuthorizer
    let endpoints: AuthenticationEndpoints
    /// Whether verified TLS client certificates authenticate (a client CA is configured).
    let acceptsClientCertificates: Bool
    let clock: any Clock<Duration>
    let bookmarkInterval: Duration
    let serverAddress: @Sendable () -> String
    let logger: Logger

    var registry: ResourceRegistry { handler.registry }

    func respond(to request: Request, context: Context) async throws -> Response {
        let (pathText, urlToken) = Self.splitTokenPrefix(request.uri.path)
        let path = APIPath(pathText)
        var user: UserInfo?
        do {
            user = try await authenticate(request, context: context, path: path, urlToken: urlToken)
            // Without authentication (tests only) every request is allowed, as kube-apiserver's AlwaysAllow would.
            if authenticator.enabled, let authenticated = user {
                let actual = try impersonate(request, as: authenticated)
                user = actual
                try authorize(request, path: path, pathText: pathText, user: actual)
            }
            let requester = authenticator.enabled ? user.map { Requester(user: $0, authorizer: authorizer) } : nil
            let response = try await Requester.$current.withValue(requester) { try await route(request, path: path, user: user) }
            logger.debug(
                "Served request",
                metadata: ["method": "\(request.method)", "path": "\(pathText)", "user": "\(user?.name ?? "")", "status": "\(response.status.code)"])
            return response
        } catch {
            let apiError = StatusBody.apiError(for: error)
            // Only the path without the token prefix is ever logged, and never a header.
            let metadata: Logger.Metadata = ["method": "\(request.method)", "path": "\(pathText)", "user": "\(user?.name ?? "")", "code": "\(apiError.code)"]
            if apiError.code >= 500 {
                logger.error("Request failed", metadata: metadata.merging(["error": "\(apiError)"]) { a, _ in a })
            } else if apiError.code == 401 || apiError.code == 403 {
                logger.info(apiError.code == 401 ? "Request not authenticated" : "Request forbidden", metadata: metadata)
            } else {
                logger.debug("Request rejected", metadata: metadata)
            }
            return StatusBody.response(apiError)
        }
    }

    /// The path prefix that carries the token for clients that never send credentials over plain HTTP.
    static let tokenPrefix = "/token/"

    /// Splits `/token/<token>/api/v1/…` into (`/api/v1/…`, token); other paths come back unchanged.
    static func splitTokenPrefix(_ path: String) -> (path: String, token: String?) {
        guard path.hasPrefix(tokenPrefix) else { return (path, nil) }
        let rest = path.dropFirst(tokenPrefix.count)
        guard let slash = rest.firstIndex(of: "/") else { return ("/", String(rest)) }
        return (String(rest[slash...]), String(rest[..<slash]))
    }

    private func route(_ request: Request, path: APIPath, user: UserInfo?) async throws -> Response {
        let accept = request.headers[.accept]
        if case .resource(let rp) = path {
            if AuthenticationEndpoints.serves(rp) { return try await authenticationEndpoint(request, rp, user: user) }
            let response = try await resource(request, rp)
            if request.method != .get && request.method != .head && rp.group == BuiltinResources.rbacGroup {
                try await RBACBootstrap.reload("\(rp.plural).\(rp.group)", handler: handler, authorizer: authorizer)
            }
            return response
        }
        guard request.method == .get || request.method == .head else { throw APIError.methodNotAllowed(request.method.rawValue) }
        let discovery = Discovery(registry: registry)
        switch path {
        case .version:
            return Self.json(VersionInfo.json)
        case .health:
            let parts = Self.splitTokenPrefix(request.uri.path).path.split(separator: "/").map(String.init)
            return await health(endpoint: parts.first ?? "healthz", check: parts.dropFirst().first, verbose: QueryParameters(request.uri.query)["verbose"] != nil)
        case .coreGroupVersions:
            if let v = Discovery.aggregatedVersion(accept: accept) {
                return Self.json(discovery.aggregated(core: true, version: v), contentType: Discovery.contentType(v))
            }
            return Self.json(discovery.legacyCore(serverAddress: serverAddress()))
        case .groups:
            if let v = Discovery.aggregatedVersion(accept: accept) {
                return Self.json(discovery.aggregated(core: false, version: v), contentType: Discovery.contentType(v))
            }
            return Self.json(discovery.legacyGroups())
        case .group(let name):
            guard let g = discovery.legacyGroup(name) else { throw APIError.pathNotFound() }
            return Self.json(g)
        case .resourceList(let group, let version):
            guard let list = discovery.resourceList(group: group, version: version) else { throw APIError.pathNotFound() }
            return Self.json(list)
        case .openAPIV3Index:
            return Self.json(OpenAPIDocuments(registry: registry).index())
        case .openAPIV3(let group, let version):
            guard registry.servesGroupVersion(group: group, version: version) else { throw APIError.pathNotFound() }
            return Self.json(OpenAPIDocuments(registry: registry).document(group: group, version: version))
        case .openAPIV2:
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: OpenAPIDocuments.emptyV2Protobuf)))
        case .resource, .unknown:
            throw APIError.pathNotFound()
        }
    }

    /// Any request on a resource path.
    private func resource(_ request: Request, _ rp: ResourcePath) async throws -> Response {
        guard let definition = registry.lookup(group: rp.group, version: rp.version, plural: rp.plural) else {
            throw APIError.pathNotFound()
        }
        if !definition.namespaced && rp.namespace != nil { throw APIError.pathNotFound() }
        if rp.subresource == "scale", definition.hasScaleSubresource, let name = rp.name {
            return try await scale(request, definition, namespace: rp.namespace, name: name)
        }
        if let sub = rp.subresource, sub != "status" || !definition.hasStatusSubresource { throw APIError.pathNotFound() }
        let query = QueryParameters(request.uri.query)
        let table = try TableRequest(accept: request.headers[.accept], includeObject: query["includeObject"])
        let ns = rp.namespace
        switch (request.method, rp.name) {
        case (.get, nil):
            let options = try ListOptions(query, resource: definition.name.qualified)
            if options.watch {
                return try await WatchStream(
                    handler: handler, definition: definition, namespace: ns, options: options, table: table,
                    clock: clock, bookmarkInterval: bookmarkInterval
                ).response(for: request)
            }
            let list = try await handler.list(definition, namespace: ns, options: options)
            if let table {
                return Self.json(
                    TableRenderer.table(
                        for: list["items"]?.arrayValue ?? [], definition: definition, request: table, now: handler.now(),
                        resourceVersion: list.value(at: ["metadata", "resourceVersion"])?.stringValue ?? "",
                        continueToken: list.value(at: ["metadata", "continue"])?.stringValue))
            }
            return Self.json(list)
        case (.get, let name?):
            let object = try await handler.get(definition, namespace: ns, name: name)
            if let table {
                return Self.json(
                    TableRenderer.table(
                        for: [object], definition: definition, request: table, now: handler.now(),
                        resourceVersion: object.value(at: ["metadata", "resourceVersion"])?.stringValue ?? ""))
            }
            return Self.json(object)
        case (.post, nil):
            let options = try WriteOptions(query, userAgent: request.headers[.userAgent])
            let body = try await Self.body(request, definition: definition)
            let (object, warnings) = try await handler.create(definition, namespace: ns, body: body, options: options)
            return Self.json(object, status: .created, warnings: warnings)
        case (.put, let name?):
            let options = try WriteOptions(query, userAgent: request.headers[.userAgent])
            let body = try await Self.body(request, definition: definition)
            do {
                let (object, warnings) = try await handler.update(
                    definition, namespace: ns, name: name, body: body, subresource: rp.subresource, options: options)
                return Self.json(object, warnings: warnings)
            } catch let missing as APIError where missing.code == 404 && rp.subresource == nil && definition.allowsCreateOnUpdate
                && (body.value(at: ["metadata", "resourceVersion"])?.stringValue ?? "").isEmpty
            {
                // Created on update (201), as kube-apiserver does for these kinds; a missing namespace
                // is reported by the create.
                var created = body
                created.setValue(.string(name), at: ["metadata", "name"])
                let (object, warnings) = try await handler.create(definition, namespace: ns, body: created, options: options)
                return Self.json(object, status: .created, warnings: warnings)
            }
        case (.patch, let name?):
            let options = try WriteOptions(query, userAgent: request.headers[.userAgent])
            var req = request
            let data = Data(buffer: try await req.collectBody(upTo: Self.maxBody))
            let (object, warnings, created) = try await handler.patch(
                definition, namespace: ns, name: name, contentType: request.headers[.contentType] ?? "", patch: data,
                subresource: rp.subresource, options: options)
            return Self.json(object, status: created ? .created : .ok, warnings: warnings)
        case (.delete, let name?):
            let options = try WriteOptions(query)
            var req = request
            let data = Data(buffer: try await req.collectBody(upTo: Self.maxBody))
            let body = data.isEmpty ? nil : try CompactJSON.decode(data)
            let deleteOptions = try DeleteOptions(body: body, query: query)
            let object = try await handler.delete(
                definition, namespace: ns, name: name, options: deleteOptions, dryRun: options.dryRun || deleteOptions.dryRun)
            return Self.json(object)
        case (.delete, nil):
            guard definition.allowsDeleteCollection else { throw APIError.methodNotAllowed(request.method.rawValue) }
            let options = try WriteOptions(query)
            var req = request
            let data = Data(buffer: try await req.collectBody(upTo: Self.maxBody))
            let deleteOptions = try DeleteOptions(body: data.isEmpty ? nil : try CompactJSON.decode(data), query: query)
            return Self.json(
                try await handler.deleteCollection(
                    definition, namespace: ns, options: try ListOptions(query, resource: definition.name.qualified),
                    deleteOptions: deleteOptions, dryRun: options.dryRun || deleteOptions.dryRun))
        default:
            throw APIError.methodNotAllowed(request.method.rawValue)
        }
    }

    static let maxBody = 16 * 1024 * 1024

    static func body(_ request: Request, definition: ResourceDefinition) async throws -> JSONValue {
        var req = request
        let data = Data(buffer: try await req.collectBody(upTo: maxBody))
        return try BodyDecoding.decode(data, contentType: request.headers[.contentType], definition: definition)
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, contentType: String = "application/json", warnings: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        for w in warnings {
            headers.append(HTTPField(name: HTTPField.Name("Warning")!, value: "299 - \"\(w.replacingOccurrences(of: "\"", with: "\\\""))\""))
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: CompactJSON.encode(value))))
    }
}

/// `/version`: kubectl's dispatcher picks its binary from `minor`.
enum VersionInfo {
    static let json: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-concord", "gitCommit": "concord", "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z", "goVersion": "swift6", "compiler": "swift", "platform": "linux/amd64",
    ]
}
