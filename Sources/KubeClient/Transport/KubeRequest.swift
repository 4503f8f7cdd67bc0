import Foundation
import KubernetesAPI

/// The HTTP methods the Kubernetes API uses.
public enum KubeHTTPMethod: String, Sendable, Hashable, CaseIterable {
    /// Read an object or a list, or open a watch.
    case get = "GET"
    /// Create an object.
    case post = "POST"
    /// Replace an object (update, updateStatus).
    case put = "PUT"
    /// Patch an object.
    case patch = "PATCH"
    /// Delete an object.
    case delete = "DELETE"
}

/// One query parameter, kept in order.
public struct QueryItem: Sendable, Hashable {
    /// The parameter name.
    public var name: String
    /// The parameter value (not yet percent-encoded).
    public var value: String

    /// Creates a parameter.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A fully built request, independent of any HTTP library: what a `KubeTransport` sends.
///
/// Building is pure (see `RequestBuilder`), so paths, query strings and bodies are unit-tested
/// without a server.
public struct KubeRequest: Sendable, Hashable {
    /// The HTTP method.
    public var method: KubeHTTPMethod
    /// The absolute API path, such as `/api/v1/namespaces/default/configmaps/app`, already segment-encoded.
    public var path: String
    /// The query parameters, in order, not yet encoded.
    public var query: [QueryItem]
    /// The body, if any.
    public var body: Data?
    /// The body's content type, if any.
    public var contentType: String?
    /// The accepted response type.
    public var accept: String
    /// Bound on the whole exchange up to the response head; nil uses the transport's default.
    public var timeout: Duration?

    /// Creates a request.
    public init(
        method: KubeHTTPMethod, path: String, query: [QueryItem] = [], body: Data? = nil,
        contentType: String? = nil, accept: String = "application/json", timeout: Duration? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.contentType = contentType
        self.accept = accept
        self.timeout = timeout
    }

    /// The value of query parameter `name`, if present.
    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    /// The encoded query string without the leading `?` (empty when there are no parameters).
    public var encodedQuery: String { QueryEncoding.encode(query) }

    /// Path and encoded query, as sent on the request line.
    public var pathAndQuery: String {
        let q = encodedQuery
        return q.isEmpty ? path : "\(path)?\(q)"
    }
}

/// A complete response: status code, headers and the whole body.
public struct KubeResponse: Sendable {
    /// The HTTP status code.
    public var statusCode: Int
    /// Response headers (names lower-cased).
    public var headers: [String: String]
    /// The body bytes.
    public var body: Data

    /// Creates a response.
    public init(statusCode: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
    }
}

/// A response whose body arrives as a stream of chunks (a watch).
public struct KubeStreamingResponse: Sendable {
    /// The HTTP status code.
    public var statusCode: Int
    /// Response headers (names lower-cased).
    public var headers: [String: String]
    /// The body chunks; iterating pulls from the connection, so buffering stays bounded.
    public var body: KubeByteStream

    /// Creates a streaming response.
    public init(statusCode: Int, headers: [String: String] = [:], body: KubeByteStream) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
    }
}

/// A type-erased, pull-based stream of body chunks.
///
/// Dropping the iterator or cancelling the task that awaits it ends the underlying HTTP stream.
public struct KubeByteStream: AsyncSequence, Sendable {
    /// A chunk of bytes.
    public typealias Element = Data

    private let base: any AsyncSequence<Data, any Error> & Sendable

    /// Wraps any sendable sequence of chunks.
    public init(_ base: some AsyncSequence<Data, any Error> & Sendable) {
        self.base = base
    }

    /// A stream of the given chunks that then ends.
    public static func chunks(_ chunks: [Data]) -> KubeByteStream {
        let (stream, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        for c in chunks { continuation.yield(c) }
        continuation.finish()
        return KubeByteStream(stream)
    }

    /// Iterates the chunks.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: any AsyncIteratorProtocol<Data, any Error>

        /// The next chunk, or nil at the end of the body.
        public mutating func next() async throws -> Data? {
            try await base.next()
        }
    }

    /// Starts iterating.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }
}

/// Sends requests to an API server. The seam between request building and HTTP:
/// `HTTPKubeTransport` speaks HTTP with AsyncHTTPClient; tests substitute fakes.
public protocol KubeTransport: Sendable {
    /// Sends a request and returns the whole response, whatever its status code.
    /// Throws `KubeTransportError` when no response arrived.
    func send(_ request: KubeRequest) async throws -> KubeResponse

    /// Sends a request and returns as soon as the response head arrived; the body streams.
    /// Throws `KubeTransportError` when no response arrived.
    func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse
}
