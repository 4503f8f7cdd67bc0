import Foundation
import Hummingbird
import KubernetesAPI

extension APIResponder {
    /// GET, PUT and PATCH on `…/{name}/scale`.
    func scale(_ request: Request, _ definition: ResourceDefinition, namespace: String?, name: String) async throws -> Response {
        let query = QueryParameters(request.uri.query)
        switch request.method {
        case .get:
            return Self.json(try await handler.getScale(definition, namespace: namespace, name: name))
        case .put:
            let options = try WriteOptions(query, userAgent: request.headers[.userAgent])
            var req = request
            let body = try CompactJSON.decode(Data(buffer: try await req.collectBody(upTo: Self.maxBody)))
            return Self.json(try await handler.updateScale(definition, namespace: namespace, name: name, options: options) { _ in body })
        case .patch:
            let options = try WriteOptions(query, userAgent: request.headers[.userAgent])
            let type = try PatchType(contentType: request.headers[.contentType] ?? "", definition: definition)
            var req = request
            let patch = Data(buffer: try await req.collectBody(upTo: Self.maxBody))
            return Self.json(
                try await handler.updateScale(definition, namespace: namespace, name: name, options: options) { scale in
                    try Patching.apply(type, patch: patch, to: scale, kind: "Scale")
                })
        default:
            throw APIError.methodNotAllowed(request.method.rawValue)
        }
    }
}
