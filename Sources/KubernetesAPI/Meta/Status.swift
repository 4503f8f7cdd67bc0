import Foundation

/// `metav1.Status`: the body of every API error, and of some successful deletes.
public struct Status: Codable, Hashable, Sendable, Error {
    /// Always "Status".
    public var kind: String = "Status"
    /// Always "v1".
    public var apiVersion: String = "v1"
    /// Unused list metadata, present as `{}`.
    public var metadata: ListMeta = ListMeta()
    /// "Success" or "Failure".
    public var status: String?
    /// Human-readable description; kubectl prints it.
    public var message: String?
    /// Machine-readable reason: NotFound, AlreadyExists, Conflict, Invalid, Expired, Unauthorized, …
    public var reason: String?
    /// What the error is about.
    public var details: StatusDetails?
    /// The HTTP status code.
    public var code: Int?

    /// Creates a Status.
    public init(status: String? = "Failure", message: String? = nil, reason: String? = nil, details: StatusDetails? = nil, code: Int? = nil) {
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }
}

/// `metav1.StatusDetails`.
public struct StatusDetails: Codable, Hashable, Sendable {
    /// The object's name.
    public var name: String?
    /// The object's API group.
    public var group: String?
    /// The object's kind (or resource, as kube-apiserver fills it).
    public var kind: String?
    /// The object's uid.
    public var uid: String?
    /// Individual problems, each naming a field.
    public var causes: [StatusCause]?
    /// Seconds a client should wait before retrying.
    public var retryAfterSeconds: Int?

    /// Creates details.
    public init(name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil, causes: [StatusCause]? = nil, retryAfterSeconds: Int? = nil) {
        self.name = name
        self.group = group
        self.kind = kind
        self.uid = uid
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// `metav1.StatusCause`: one problem with one field.
public struct StatusCause: Codable, Hashable, Sendable {
    /// FieldValueRequired, FieldValueNotSupported, FieldValueInvalid, FieldManagerConflict, …
    public var reason: String?
    /// Human-readable message.
    public var message: String?
    /// The field path, such as `spec.mode`.
    public var field: String?

    /// Creates a cause.
    public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
        self.reason = reason
        self.message = message
        self.field = field
    }
}

/// Well-known `Status.reason` values.
public enum StatusReason {
    /// 404.
    public static let notFound = "NotFound"
    /// 409 on create.
    public static let alreadyExists = "AlreadyExists"
    /// 409 on a stale resourceVersion.
    public static let conflict = "Conflict"
    /// 422.
    public static let invalid = "Invalid"
    /// 410.
    public static let expired = "Expired"
    /// 410 (legacy form).
    public static let gone = "Gone"
    /// 401.
    public static let unauthorized = "Unauthorized"
    /// 403.
    public static let forbidden = "Forbidden"
    /// 400.
    public static let badRequest = "BadRequest"
    /// 405.
    public static let methodNotAllowed = "MethodNotAllowed"
    /// 415.
    public static let unsupportedMediaType = "UnsupportedMediaType"
    /// 500.
    public static let internalError = "InternalError"
    /// 504.
    public static let timeout = "Timeout"
    /// 429.
    public static let tooManyRequests = "TooManyRequests"
    /// 503.
    public static let serviceUnavailable = "ServiceUnavailable"
}
