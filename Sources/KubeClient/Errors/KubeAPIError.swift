import Foundation
import KubernetesAPI

/// The API server answered with an error status; carries the server's `Status` body.
///
/// When the body is not a `Status` (a proxy's HTML page, say), a `Status` is synthesised from
/// the status code the way client-go does, so the predicates still work.
public struct KubeAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The decoded (or synthesised) `Status`.
    public var status: Status
    /// The HTTP status code.
    public var statusCode: Int

    /// Creates an error.
    public init(status: Status, statusCode: Int) {
        self.status = status
        self.statusCode = statusCode
    }

    /// Decodes an error response: a `Status` body if there is one, else one derived from the code.
    public init(statusCode: Int, body: Data) {
        if let s = Status.decodeLeniently(body), s.kind == "Status", s.reason != nil || s.message != nil {
            self.init(status: s, statusCode: statusCode)
            return
        }
        let text = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = KubeAPIError.reason(forCode: statusCode)
        let message = text.isEmpty ? "the server responded with status \(statusCode) (\(reason))" : text
        self.init(status: Status(message: message, reason: reason, code: statusCode), statusCode: statusCode)
    }

    /// The `Status.reason`, or "" when absent.
    public var reason: String { status.reason ?? "" }

    /// The `Status.message`, or "" when absent.
    public var message: String { status.message ?? "" }

    /// 404 NotFound.
    public var isNotFound: Bool { reason == StatusReason.notFound || (status.reason == nil && statusCode == 404) }
    /// 409 Conflict: a stale resourceVersion on update.
    public var isConflict: Bool { reason == StatusReason.conflict || (status.reason == nil && statusCode == 409) }
    /// 409 AlreadyExists: a create of an existing name.
    public var isAlreadyExists: Bool { reason == StatusReason.alreadyExists }
    /// 410 Gone or Expired: the requested resourceVersion is too old; relist.
    public var isGone: Bool { reason == StatusReason.gone || reason == StatusReason.expired || statusCode == 410 }
    /// Same as `isGone` (client-go's `IsResourceExpired || IsGone`).
    public var isExpired: Bool { isGone }
    /// 422 Invalid: validation failed; `status.details?.causes` names the fields.
    public var isInvalid: Bool { reason == StatusReason.invalid || (status.reason == nil && statusCode == 422) }
    /// 401 Unauthorized: missing or wrong credentials.
    public var isUnauthorized: Bool { reason == StatusReason.unauthorized || statusCode == 401 }
    /// 403 Forbidden: authenticated but not allowed.
    public var isForbidden: Bool { reason == StatusReason.forbidden || statusCode == 403 }
    /// 429 TooManyRequests.
    public var isTooManyRequests: Bool { reason == StatusReason.tooManyRequests || statusCode == 429 }
    /// The requested resourceVersion is newer than the server's (kube-apiserver: 504 Timeout with
    /// cause `ResourceVersionTooLarge`, or the message "Too large resource version" from older servers).
    public var isResourceVersionTooLarge: Bool {
        if status.details?.causes?.contains(where: { $0.reason == StatusCauseReason.resourceVersionTooLarge }) == true { return true }
        guard reason == StatusReason.timeout || statusCode == 504 else { return false }
        return message.contains("Too large resource version")
            || (status.details?.causes ?? []).contains { ($0.message ?? "").contains("Too large resource version") }
    }
    /// 5xx: worth retrying after a backoff.
    public var isServerError: Bool { statusCode >= 500 }

    /// `<message> (<reason>, HTTP <code>)`.
    public var description: String {
        "\(message.isEmpty ? "request failed" : message) (\(reason.isEmpty ? "Unknown" : reason), HTTP \(statusCode))"
    }

    static func reason(forCode code: Int) -> String {
        switch code {
        case 400: return StatusReason.badRequest
        case 401: return StatusReason.unauthorized
        case 403: return StatusReason.forbidden
        case 404: return StatusReason.notFound
        case 405: return StatusReason.methodNotAllowed
        case 409: return StatusReason.conflict
        case 410: return StatusReason.gone
        case 415: return StatusReason.unsupportedMediaType
        case 422: return StatusReason.invalid
        case 429: return StatusReason.tooManyRequests
        case 503: return StatusReason.serviceUnavailable
        case 504: return StatusReason.timeout
        default: return code >= 500 ? StatusReason.internalError : "Unknown"
        }
    }
}

extension Error {
    /// True when this is a `KubeAPIError` that is NotFound.
    public var isKubeNotFound: Bool { (self as? KubeAPIError)?.isNotFound ?? false }
    /// True when this is a `KubeAPIError` that is a Conflict.
    public var isKubeConflict: Bool { (self as? KubeAPIError)?.isConflict ?? false }
    /// True when this is a `KubeAPIError` that is Gone/Expired.
    public var isKubeGone: Bool { (self as? KubeAPIError)?.isGone ?? false }
}

/// `StatusCause.reason` values the client acts on.
public enum StatusCauseReason {
    /// A list or watch asked for a resourceVersion the server has not reached yet.
    public static let resourceVersionTooLarge = "ResourceVersionTooLarge"
}
