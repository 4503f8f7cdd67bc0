import Foundation
import Hummingbird
import KubernetesAPI

/// Turns any error into the JSON `Status` response kube-apiserver would send.
enum StatusBody {
    static func json(_ status: Status) -> JSONValue {
        (try? JSONValue(encoding: status)) ?? ["kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 500]
    }

    /// The APIError an arbitrary error maps to.
    static func apiError(for error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as StorageError:
            switch e.code {
            case .notFound: return APIError(code: 404, reason: StatusReason.notFound, message: e.message.isEmpty ? "not found" : e.message)
            case .alreadyExists: return APIError(code: 409, reason: StatusReason.alreadyExists, message: e.message)
            case .conflict: return APIError(code: 409, reason: StatusReason.conflict, message: e.message)
            case .expired(let oldest): return APIError.expired(requested: 0, oldest: oldest)
            case .tooLarge(let limit): return APIError.tooLarge(limit: limit)
            case .unavailable: return APIError.storageUnavailable(e.message)
            case .internalError: return APIError.internalError(e.message)
            }
        default: return APIError.internalError(String(describing: error))
        }
    }

    static func response(_ error: APIError, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        if let seconds = error.status.details?.retryAfterSeconds, error.code == 503 {
            headers[.retryAfter] = String(seconds)
        }
        let data = CompactJSON.encode(json(error.status))
        return Response(
            status: HTTPResponse.Status(code: error.code), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
