import Foundation
import KubernetesAPI

/// Observes every API request a client makes: where `rest_client_requests_total` plugs in.
public protocol KubeRequestObserver: Sendable {
    /// A request finished: `code` is the HTTP status code, or `<error>` when no response arrived.
    func requestCompleted(method: String, host: String, code: String)
}

/// A transport that reports each request's outcome to an observer, then passes it through.
public struct InstrumentedTransport: KubeTransport {
    /// The transport requests go through.
    public let base: any KubeTransport
    /// The `host` label: the server's `host[:port]`, as client-go reports it.
    public let host: String
    /// Receives each outcome.
    public let observer: any KubeRequestObserver

    /// Wraps `base`.
    public init(base: any KubeTransport, host: String, observer: any KubeRequestObserver) {
        self.base = base
        self.host = host
        self.observer = observer
    }

    /// The `host[:port]` of a server URL.
    public static func hostLabel(of url: URL) -> String {
        (url.host ?? "") + (url.port.map { ":\($0)" } ?? "")
    }

    /// Sends and reports.
    public func send(_ request: KubeRequest) async throws -> KubeResponse {
        do {
            let response = try await base.send(request)
            observer.requestCompleted(method: request.method.rawValue, host: host, code: String(response.statusCode))
            return response
        } catch {
            report(error, request)
            throw error
        }
    }

    /// Opens a stream and reports its status code.
    public func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse {
        do {
            let response = try await base.stream(request)
            observer.requestCompleted(method: request.method.rawValue, host: host, code: String(response.statusCode))
            return response
        } catch {
            report(error, request)
            throw error
        }
    }

    private func report(_ error: any Error, _ request: KubeRequest) {
        if error is CancellationError { return }
        observer.requestCompleted(method: request.method.rawValue, host: host, code: "<error>")
    }
}
