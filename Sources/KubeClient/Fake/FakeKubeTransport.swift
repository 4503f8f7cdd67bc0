import Foundation
import KubernetesAPI
import Synchronization

/// A scriptable `KubeTransport` for tests: closures answer requests, every request is recorded.
///
/// ```swift
/// let fake = FakeKubeTransport { req in .json(200, ["kind": "ConfigMap", …]) }
/// let client = KubeClient(transport: fake)
/// ```
public final class FakeKubeTransport: KubeTransport {
    /// Answers a non-streaming request.
    public typealias Handler = @Sendable (KubeRequest) async throws -> KubeResponse
    /// Answers a streaming (watch) request.
    public typealias StreamHandler = @Sendable (KubeRequest) async throws -> KubeStreamingResponse

    private let handler: Handler
    private let streamHandler: StreamHandler
    private let recorded = Mutex<[KubeRequest]>([])

    /// Creates a fake. By default every request gets 404 and every watch a 404.
    public init(
        send: @escaping Handler = { _ in .status(404, reason: StatusReason.notFound, message: "not found") },
        stream: @escaping StreamHandler = { _ in KubeStreamingResponse(statusCode: 404, body: .chunks([])) }
    ) {
        self.handler = send
        self.streamHandler = stream
    }

    /// Every request sent so far, in order.
    public var requests: [KubeRequest] { recorded.withLock { $0 } }

    /// Records and answers.
    public func send(_ request: KubeRequest) async throws -> KubeResponse {
        recorded.withLock { $0.append(request) }
        return try await handler(request)
    }

    /// Records and answers a streaming request.
    public func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse {
        recorded.withLock { $0.append(request) }
        return try await streamHandler(request)
    }
}

extension KubeResponse {
    /// A JSON response.
    public static func json(_ statusCode: Int, _ body: JSONValue) -> KubeResponse {
        KubeResponse(statusCode: statusCode, headers: ["content-type": "application/json"], body: body.jsonData())
    }

    /// A `Status` error response.
    public static func status(_ code: Int, reason: String, message: String) -> KubeResponse {
        json(code, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": .string(message), "reason": .string(reason), "code": .int(Int64(code))])
    }
}

/// A watch stream a test controls: `send` events, then `close()` (clean end) or `fail(_:)`.
public final class FakeWatchStream: Sendable {
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    /// The response to return from a `FakeKubeTransport` stream handler.
    public let response: KubeStreamingResponse

    /// Creates an open stream with HTTP 200.
    public init() {
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        self.continuation = continuation
        self.response = KubeStreamingResponse(statusCode: 200, headers: ["content-type": "application/json"], body: KubeByteStream(stream))
    }

    /// Sends one watch event line.
    public func send(_ type: WatchEventType, _ object: JSONValue) {
        continuation.yield(Data((JSONValue.object(["type": .string(type.rawValue), "object": object]).jsonString() + "\n").utf8))
    }

    /// Sends a BOOKMARK at `resourceVersion`.
    public func bookmark(_ resourceVersion: String) {
        send(.bookmark, ["kind": "Bookmark", "metadata": ["resourceVersion": .string(resourceVersion)]])
    }

    /// Sends an ERROR event carrying a Status (410 Expired by default).
    public func error(code: Int = 410, reason: String = StatusReason.expired, message: String = "too old resource version") {
        send(.error, ["kind": "Status", "apiVersion": "v1", "status": "Failure", "code": .int(Int64(code)), "reason": .string(reason), "message": .string(message)])
    }

    /// Sends raw bytes (to test line splitting).
    public func sendRaw(_ data: Data) { continuation.yield(data) }

    /// Ends the stream cleanly (a server-side timeout).
    public func close() { continuation.finish() }

    /// Breaks the stream with an error.
    public func fail(_ error: any Error) { continuation.finish(throwing: error) }
}
