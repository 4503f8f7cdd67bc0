import KubernetesAPI

/// An API failure carrying the Kubernetes `Status` body and HTTP code the server answers with.
///
/// Every error the request handlers throw ends up as one of these; the responder turns it
/// into a JSON `Status` response (see `StatusResponse`).
struct APIError: Error, Sendable, CustomStringConvertible {
    /// The Status body; its `code` is the HTTP status.
    var status: Status

    init(_ status: Status) { self.status = status }

    init(code: Int, reason: String, message: String, details: StatusDetails? = nil) {
        self.status = Status(message: message, reason: reason, details: details, code: code)
    }

    var code: Int { status.code ?? 500 }
    var description: String { "\(code) \(status.reason ?? ""): \(status.message ?? "")" }
}

extension APIError {
    /// 404 for an object: `widgets.example.com "w1" not found`.
    static func notFound(_ resource: ResourceName, name: String) -> APIError {
        APIError(
            code: 404, reason: StatusReason.notFound, message: "\(resource.qualified) \"\(name)\" not found",
            details: StatusDetails(name: name, group: resource.group.isEmpty ? nil : resource.group, kind: resource.plural))
    }

    /// 404 for a path the server does not serve.
    static func pathNotFound() -> APIError {
        APIError(
            code: 404, reason: StatusReason.notFound, message: "the server could not find the requested resource",
            details: StatusDetails(causes: [StatusCause(reason: "UnexpectedServerResponse", message: "404 page not found")]))
    }

    /// 409 on create: `namespaces "default" already exists`.
    static func alreadyExists(_ resource: ResourceName, name: String) -> APIError {
        APIError(
            code: 409, reason: StatusReason.alreadyExists, message: "\(resource.qualified) \"\(name)\" already exists",
            details: StatusDetails(name: name, group: resource.group.isEmpty ? nil : resource.group, kind: resource.plural))
    }

    /// 409 on a stale resourceVersion, with kube-apiserver's exact wording.
    static func conflict(_ resource: ResourceName, name: String, reason: String? = nil) -> APIError {
        let why = reason ?? "the object has been modified; please apply your changes to the latest version and try again"
        return APIError(
            code: 409, reason: StatusReason.conflict,
            message: "Operation cannot be fulfilled on \(resource.qualified) \"\(name)\": \(why)",
            details: StatusDetails(name: name, group: resource.group.isEmpty ? nil : resource.group, kind: resource.plural))
    }

    /// 422 with one cause per field: `Widget "w1" is invalid: spec.mode: Unsupported value: …`.
    static func invalid(kind: String, group: String, name: String, causes: [FieldError]) -> APIError {
        let rendered = causes.map { "\($0.field): \($0.message)" }
        let summary = rendered.count == 1 ? rendered[0] : "[" + rendered.joined(separator: ", ") + "]"
        return APIError(
            code: 422, reason: StatusReason.invalid,
            message: "\(group.isEmpty ? kind : "\(kind).\(group)") \"\(name)\" is invalid: \(summary)",
            details: StatusDetails(
                name: name, group: group.isEmpty ? nil : group, kind: kind,
                causes: causes.map { StatusCause(reason: $0.reason.rawValue, message: $0.message, field: $0.field) }))
    }

    /// 400 BadRequest.
    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: StatusReason.badRequest, message: message)
    }

    /// 405 MethodNotAllowed.
    static func methodNotAllowed(_ method: String) -> APIError {
        APIError(code: 405, reason: StatusReason.methodNotAllowed, message: "the server does not allow this method on the requested resource")
    }

    /// 415 with the list of accepted patch types.
    static func unsupportedMediaType(accepted: [String]) -> APIError {
        APIError(
            code: 415, reason: StatusReason.unsupportedMediaType,
            message: "the body of the request was in an unknown format - accepted media types include: " + accepted.joined(separator: ", "))
    }

    /// 401 for a missing or wrong bearer token.
    static func unauthorized() -> APIError {
        APIError(code: 401, reason: StatusReason.unauthorized, message: "Unauthorized")
    }

    /// 410 Expired for a watch or continue token older than the retained history.
    static func expired(requested: Int64, oldest: Int64) -> APIError {
        APIError(code: 410, reason: StatusReason.expired, message: "too old resource version: \(requested) (\(oldest))")
    }

    /// 413 for an object bigger than the store takes in one write, as kube-apiserver answers for etcd's limit.
    static func tooLarge(limit: Int64) -> APIError {
        APIError(code: 413, reason: "RequestEntityTooLarge", message: "Request entity too large: limit is \(limit)")
    }

    /// 503 ServiceUnavailable with `Retry-After: 1`: the store cannot be reached, and nothing was applied,
    /// so a client may send the request to another server (or again after the pause).
    static func storageUnavailable(_ message: String) -> APIError {
        APIError(
            code: 503, reason: StatusReason.serviceUnavailable, message: "The storage is unavailable: \(message)",
            details: StatusDetails(causes: [StatusCause(message: message)], retryAfterSeconds: 1))
    }

    /// 500 InternalError.
    static func internalError(_ message: String) -> APIError {
        APIError(
            code: 500, reason: StatusReason.internalError, message: "Internal error occurred: \(message)",
            details: StatusDetails(causes: [StatusCause(message: message)]))
    }
}
