import AsyncHTTPClient
import Foundation
import KubernetesAPI
import NIOCore
import NIOSSL

extension HTTPKubeTransport {
    /// Maps AsyncHTTPClient, NIO and TLS errors onto `KubeTransportError`; cancellation passes through.
    static func map(_ error: any Error, path: String) -> any Error {
        if error is CancellationError || error is KubeTransportError || error is KubeConfigError { return error }
        let text = String(describing: error)
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout:
                return KubeTransportError(.connectTimeout, "\(path): could not connect in time (\(e)); check the server address and that it is up")
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return KubeTransportError(.timeout, "\(path): no response in time (\(e))")
            case .remoteConnectionClosed:
                return KubeTransportError(.connectionClosed, "\(path): the server closed the connection")
            case .cancelled:
                return CancellationError()
            case .alreadyShutdown:
                return KubeTransportError(.shutDown, "\(path): the client was shut down")
            default:
                return KubeTransportError(.other, "\(path): \(e)")
            }
        }
        if error is NIOTooManyBytesError {
            return KubeTransportError(.bodyTooLarge, "\(path): the response body exceeds the client's limit")
        }
        if error is NIOSSLError || error is NIOSSLExtraError || error is BoringSSLError || text.contains("handshake") || text.contains("CERTIFICATE_VERIFY") {
            return KubeTransportError(.tls, "\(path): TLS handshake failed (\(error)); check the certificate authority, tls-server-name and client certificate")
        }
        if let e = error as? IOError, e.errnoCode == ECONNREFUSED {
            return KubeTransportError(.connectionRefused, "\(path): connection refused; is the API server running at that address?")
        }
        if let e = error as? IOError, e.errnoCode == ECONNRESET || e.errnoCode == EPIPE {
            return KubeTransportError(.connectionClosed, "\(path): the server reset the connection")
        }
        if let e = error as? ChannelError {
            switch e {
            case .connectTimeout: return KubeTransportError(.connectTimeout, "\(path): could not connect in time")
            case .ioOnClosedChannel, .alreadyClosed, .eof, .outputClosed, .inputClosed:
                return KubeTransportError(.connectionClosed, "\(path): the connection closed (\(e))")
            default: return KubeTransportError(.other, "\(path): \(e)")
            }
        }
        if text.contains("ECONNREFUSED") || text.contains("Connection refused") {
            return KubeTransportError(.connectionRefused, "\(path): connection refused; is the API server running at that address?")
        }
        return KubeTransportError(.other, "\(path): \(error)")
    }
}

/// Maps the errors of an async sequence (the streaming body) without an intermediate task.
struct MapErrorsSequence<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable {
    typealias Element = Base.Element
    let base: Base
    let transform: @Sendable (any Error) -> any Error

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let transform: @Sendable (any Error) -> any Error

        mutating func next() async throws -> Element? {
            do { return try await base.next() } catch { throw transform(error) }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), transform: transform) }
}

extension AsyncSequence where Self: Sendable {
    func mapErrors(_ transform: @escaping @Sendable (any Error) -> any Error) -> MapErrorsSequence<Self> {
        MapErrorsSequence(base: self, transform: transform)
    }
}
