import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// An answer of a `RuntimeHTTPServer` route.
public struct RuntimeHTTPAnswer: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// The `Content-Type`.
    public var contentType: String
    /// The body.
    public var body: String

    /// Creates an answer.
    public init(status: Int = 200, contentType: String = "text/plain; charset=utf-8", body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
}

/// A `host:port` to serve on, parsed like controller-runtime's bind-address flags:
/// `:8080` (every interface), `127.0.0.1:0` (an ephemeral port), `0` (disabled).
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// The interface; `0.0.0.0` for every interface.
    public var host: String
    /// The port; 0 picks a free one.
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses a flag value; nil for `0` (disabled); throws for anything else that is not `[host]:port`.
    public static func parse(_ text: String) throws -> ServerAddress? {
        if text == "0" || text.isEmpty { return nil }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ControllerError("bind address \"\(text)\" is not [host]:port (use :8080, 127.0.0.1:8080, or 0 to disable)")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return ServerAddress(host: host.isEmpty ? "0.0.0.0" : host, port: port)
    }

    /// `host:port`.
    public var description: String { "\(host):\(port)" }
}

/// A small HTTP server for the runtime's endpoints (`/metrics`, `/healthz`, `/readyz`), run as a
/// service. Unknown paths get 404. The bound port is reported by `boundPort()` and logged.
public final class RuntimeHTTPServer: Service, Sendable {
    /// A name for logs (`metrics`, `health probe`).
    public let name: String
    /// Where it listens.
    public let address: ServerAddress
    private let routes: [String: @Sendable () -> RuntimeHTTPAnswer]
    private let logger: Logger
    private let port = Mutex<Int?>(nil)
    private let started = SyncGate()

    /// Creates a server answering `routes` (path → answer).
    public init(name: String, address: ServerAddress, routes: [String: @Sendable () -> RuntimeHTTPAnswer], logger: Logger = Logger(label: "concord.http")) {
        self.name = name
        self.address = address
        self.routes = routes
        self.logger = logger
    }

    /// The port once listening (useful with port 0).
    public func boundPort() async throws -> Int {
        try await started.wait()
        return port.withLock { $0 ?? address.port }
    }

    /// Serves until graceful shutdown.
    public func run() async throws {
        let responder = RouteResponder(routes: routes)
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: "concord"),
            onServerRunning: { [self] channel in
                let bound = channel.localAddress?.port ?? address.port
                port.withLock { $0 = bound }
                logger.info("Serving \(name) server", metadata: ["bindAddress": "\(address.host):\(bound)"])
                started.open()
            },
            logger: logger)
        try await app.run()
    }
}

/// Answers fixed routes.
struct RouteResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let routes: [String: @Sendable () -> RuntimeHTTPAnswer]

    func respond(to request: Request, context: Context) async throws -> Response {
        let answer = routes[request.uri.path]?() ?? RuntimeHTTPAnswer(status: 404, body: "404 page not found\n")
        var headers = HTTPFields()
        headers[.contentType] = answer.contentType
        return Response(status: HTTPResponse.Status(code: answer.status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
    }
}

extension Manager {
    /// Serves `/metrics` (Prometheus text) from `registry` at `address`; started before the informers.
    @discardableResult
    public func serveMetrics(_ registry: MetricsRegistry, at address: ServerAddress, logger: Logger = Logger(label: "concord.metrics")) -> RuntimeHTTPServer {
        let server = RuntimeHTTPServer(name: "metrics", address: address, routes: [
            "/metrics": { RuntimeHTTPAnswer(contentType: "text/plain; version=0.0.4; charset=utf-8", body: registry.exposition()) },
        ], logger: logger)
        add(service: server)
        return server
    }

    /// Serves `/healthz` (200 while the process runs) and `/readyz` (503 until every informer has
    /// synced, then 200) at `address`; started before the informers.
    @discardableResult
    public func serveHealthProbes(at address: ServerAddress, logger: Logger = Logger(label: "concord.health")) -> RuntimeHTTPServer {
        let server = RuntimeHTTPServer(name: "health probe", address: address, routes: [
            "/healthz": { RuntimeHTTPAnswer(body: "ok") },
            "/livez": { RuntimeHTTPAnswer(body: "ok") },
            "/readyz": { [self] in
                self.hasSynced ? RuntimeHTTPAnswer(body: "ok") : RuntimeHTTPAnswer(status: 503, body: "[-]informers-synced failed: caches are not synced yet\nreadyz check failed\n")
            },
        ], logger: logger)
        add(service: server)
        return server
    }
}
