import Foundation
import KubernetesAPI
import Logging
import Synchronization

/// Sends each request to one of several API servers of one cluster (Concord's hub servers sharing
/// one etcd, say), sticking to the one that answered last and moving on when it is gone.
///
/// | outcome on the current server                          | what happens                                   |
/// |--------------------------------------------------------|------------------------------------------------|
/// | connection refused, connect timeout                    | the next server gets the request (never sent)  |
/// | connection closed or reset, no answer in time — GET    | the next server gets the request               |
/// | connection closed or reset, no answer in time — writes | the error is thrown; the next request goes on  |
/// | 502, 503 or 504                                        | the next server gets the request               |
/// | anything else                                          | returned as it is                              |
///
/// A write whose connection broke may or may not have been applied, so it is not sent twice: the
/// caller's retry (a controller's requeue) meets the next server. When every server fails, the last
/// server's error or answer is what the caller sees. Watches fail over when they are re-opened: the
/// watcher re-watches from its last resourceVersion, and the servers share one store, so that
/// resourceVersion means the same on each.
public final class FailoverTransport: KubeTransport {
    /// One server and the transport that reaches it.
    public struct Endpoint: Sendable {
        /// The server, for logs (never with credentials).
        public var name: String
        /// The transport that reaches it.
        public var transport: any KubeTransport

        /// Creates an endpoint.
        public init(name: String, transport: any KubeTransport) {
            self.name = name
            self.transport = transport
        }
    }

    /// The servers in the order they are tried.
    public let endpoints: [Endpoint]
    private let current = Mutex(0)
    private let logger: Logger

    /// Tries `endpoints` in order, starting with the first; there must be at least one.
    public init(endpoints: [Endpoint], logger: Logger = Logger(label: "concord.kubeclient")) {
        precondition(!endpoints.isEmpty, "a FailoverTransport needs at least one server")
        self.endpoints = endpoints
        self.logger = logger
    }

    /// The server the next request goes to first.
    public var activeServer: String { endpoints[current.withLock { $0 }].name }

    /// Sends to the current server, failing over as the table above says.
    public func send(_ request: KubeRequest) async throws -> KubeResponse {
        try await failingOver(request, status: \.statusCode) { try await $0.send(request) }
    }

    /// Opens a stream on the current server, failing over as the table above says.
    public func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse {
        try await failingOver(request, status: \.statusCode) { try await $0.stream(request) }
    }

    /// Whether a failed attempt may be sent again to the next server.
    enum Verdict: Equatable {
        /// Not a server failure: the caller sees it.
        case keep
        /// The server is gone, and the request may go to the next one.
        case resend
        /// The server is gone, but the request may have been applied: the caller sees the error.
        case moveOn
    }

    /// The verdict on an error from `method`.
    static func verdict(_ error: any Error, method: KubeHTTPMethod) -> Verdict {
        guard let e = error as? KubeTransportError else { return .keep }
        switch e.code {
        case .connectionRefused, .connectTimeout: return .resend
        case .connectionClosed, .timeout: return method == .get ? .resend : .moveOn
        default: return .keep
        }
    }

    /// True for the answers of a server that cannot serve now (a proxy without a backend, a server
    /// without its store).
    static func unavailable(_ statusCode: Int) -> Bool { [502, 503, 504].contains(statusCode) }

    private func failingOver<Response>(
        _ request: KubeRequest, status: (Response) -> Int, _ attempt: (any KubeTransport) async throws -> Response
    ) async throws -> Response {
        let first = current.withLock { $0 }
        let count = endpoints.count
        for step in 0..<count {
            let index = (first + step) % count
            let last = step == count - 1
            do {
                let response = try await attempt(endpoints[index].transport)
                if !last, Self.unavailable(status(response)) {
                    moveOn(from: index, reason: "answered \(status(response))")
                    continue
                }
                return response
            } catch {
                switch Self.verdict(error, method: request.method) {
                case .keep: throw error
                case .resend where !last:
                    moveOn(from: index, reason: "\(error)")
                case .resend, .moveOn:
                    moveOn(from: index, reason: "\(error)")
                    throw error
                }
            }
        }
        preconditionFailure("the last server's outcome is always returned or thrown")
    }

    /// Makes the server after `index` the current one, unless a concurrent request already moved on.
    private func moveOn(from index: Int, reason: String) {
        guard endpoints.count > 1 else { return }
        let next = (index + 1) % endpoints.count
        let moved = current.withLock { value -> Bool in
            guard value == index else { return false }
            value = next
            return true
        }
        if moved {
            logger.warning(
                "API server unavailable; switching to the next one",
                metadata: ["from": "\(endpoints[index].name)", "to": "\(endpoints[next].name)", "reason": "\(reason)"])
        }
    }
}
