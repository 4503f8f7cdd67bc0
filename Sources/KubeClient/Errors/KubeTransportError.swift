import Foundation
import KubernetesAPI

/// No usable response arrived: the request never reached the server, timed out, or the
/// response could not be read. Distinct from `KubeAPIError`, where the server did answer.
public struct KubeTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this was.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable, Hashable {
            case connectTimeout, timeout, connectionRefused, connectionClosed, tls, invalidResponse, bodyTooLarge, shutDown, circuitOpen, other
        }
        fileprivate let value: Value

        /// The TCP (or TLS) connection was not established within the connect timeout.
        public static let connectTimeout = Code(value: .connectTimeout)
        /// The request was sent but no (complete) response arrived in time.
        public static let timeout = Code(value: .timeout)
        /// Nothing listens at the server's address.
        public static let connectionRefused = Code(value: .connectionRefused)
        /// The connection closed before the response was complete.
        public static let connectionClosed = Code(value: .connectionClosed)
        /// The TLS handshake failed (untrusted CA, wrong server name, bad client certificate).
        public static let tls = Code(value: .tls)
        /// The response was not what the API promises (undecodable JSON, say).
        public static let invalidResponse = Code(value: .invalidResponse)
        /// A response body exceeded the client's limit.
        public static let bodyTooLarge = Code(value: .bodyTooLarge)
        /// The client was already shut down.
        public static let shutDown = Code(value: .shutDown)
        /// The client's circuit breaker is open: recent requests failed, so this one was not sent.
        public static let circuitOpen = Code(value: .circuitOpen)
        /// Any other I/O failure.
        public static let other = Code(value: .other)

        /// The code's name.
        public var description: String { value.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// Human-readable detail (never contains credentials).
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// True for connect timeouts, refused or closed connections and timeouts: retry after a backoff.
    public var isRetryable: Bool {
        [.connectTimeout, .timeout, .connectionRefused, .connectionClosed].contains(code)
    }

    /// `<code>: <message>`.
    public var description: String { "\(code): \(message)" }
}
