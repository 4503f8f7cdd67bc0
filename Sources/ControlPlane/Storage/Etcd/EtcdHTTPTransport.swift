import AsyncHTTPClient
import Foundation
import KubernetesAPI
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// ``EtcdTransport`` over etcd's HTTP/JSON gateway (`/v3/kv/*`, `/v3/watch`) with AsyncHTTPClient.
///
/// Requests go to one endpoint; when it cannot be reached or has no leader, the next one is tried and
/// becomes the preferred endpoint. Each watch holds its own HTTP/1.1 connection and is cancelled by
/// closing it. Every request carries `Grpc-Metadata-hasleader: true`, so a member cut off from the
/// leader refuses it instead of serving stale state or keeping a dead watch open.
public final class EtcdHTTPTransport: EtcdTransport {
    private let http: HTTPClient
    private let endpoints: [String]
    private let preferred = Mutex(0)
    private let requestTimeout: Duration
    private static let maxResponseBytes = 1 << 30

    /// Creates the transport; throws when a TLS file cannot be read.
    public init(configuration: EtcdStorageConfiguration) throws {
        guard !configuration.endpoints.isEmpty else { throw EtcdConfigurationError("no etcd endpoints; pass --etcd-endpoints URL[,URL…]") }
        var config = HTTPClient.Configuration()
        config.timeout = .init(connect: .seconds(2))
        // Every watch keeps a connection open: allow many per member.
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 4096)
        config.connectionPool.retryConnectionEstablishment = false
        config.redirectConfiguration = .disallow
        if configuration.endpoints.contains(where: { $0.scheme?.lowercased() == "https" }) {
            config.tlsConfiguration = try Self.tlsConfiguration(configuration.tls)
        }
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
        endpoints = configuration.endpoints.map { url in
            var s = url.absoluteString
            while s.hasSuffix("/") { s.removeLast() }
            return s
        }
        requestTimeout = configuration.requestTimeout
    }

    /// Sends a unary request, moving to the next endpoint on connection failures and leaderless members.
    public func call(_ method: String, _ request: JSONValue) async throws -> Data {
        let body = request.jsonData()
        // Only failures that applied nothing are kept here: when every member fails that way, the store is unavailable.
        var lastError = StorageError(.unavailable, message: "no etcd endpoint answered")
        for endpoint in candidates() {
            do {
                let response = try await http.execute(self.request(endpoint, method, body), timeout: .nanoseconds(requestTimeout.wholeNanoseconds))
                let bytes = Data(try await response.body.collect(upTo: Self.maxResponseBytes).readableBytesView)
                guard response.status == .ok else {
                    let error = Self.serverError(status: response.status, bytes)
                    if error.refusedBeforeProposing || (Self.readOnly(method) && error.isUnavailable) {
                        lastError = StorageError(.unavailable, message: "etcd at \(endpoint): \(error.message)")
                        advance(from: endpoint)
                        continue
                    }
                    throw error
                }
                return bytes
            } catch let error as EtcdServerError {
                throw error
            } catch where Self.neverSent(error) || (Self.readOnly(method) && !(error is CancellationError)) {
                // A request that never left (or a read) is safe to send to the next member; a write whose
                // answer was lost is not: its outcome is unknown, and sending it again could apply it twice.
                lastError = StorageError(.unavailable, message: "etcd at \(endpoint) is unreachable: \(error)")
                advance(from: endpoint)
            } catch {
                advance(from: endpoint)
                throw StorageError(.internalError, message: "etcd at \(endpoint) failed during \(method); the write may or may not have been applied: \(error)")
            }
        }
        throw lastError
    }

    private static func readOnly(_ method: String) -> Bool { method == "kv/range" || method == "maintenance/status" }

    /// Opens a watch on the preferred endpoint, moving on when it cannot be reached.
    public func watch(_ request: JSONValue) async throws -> any AsyncSequence<Data, any Error> & Sendable {
        let body = JSONValue.object(["create_request": request]).jsonData()
        var lastError = StorageError(.unavailable, message: "no etcd endpoint answered")
        for endpoint in candidates() {
            do {
                // The deadline bounds reaching the response head only (a member that is still starting may
                // never answer); the stream then lasts as long as its consumer.
                let response = try await http.execute(self.request(endpoint, "watch", body), timeout: .nanoseconds(requestTimeout.wholeNanoseconds))
                guard response.status == .ok else {
                    let bytes = Data(try await response.body.collect(upTo: 1 << 20).readableBytesView)
                    lastError = StorageError(.unavailable, message: "etcd at \(endpoint): \(Self.serverError(status: response.status, bytes).message)")
                    advance(from: endpoint)
                    continue
                }
                return response.body.map { Data($0.readableBytesView) }
            } catch where !(error is CancellationError) {
                lastError = StorageError(.unavailable, message: "etcd at \(endpoint) is unreachable: \(error)")
                advance(from: endpoint)
            }
        }
        throw lastError
    }

    /// Closes every connection.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    private func request(_ endpoint: String, _ method: String, _ body: Data) -> HTTPClientRequest {
        var r = HTTPClientRequest(url: "\(endpoint)/v3/\(method)")
        r.method = .POST
        r.headers.add(name: "Content-Type", value: "application/json")
        r.headers.add(name: "Grpc-Metadata-hasleader", value: "true")
        r.body = .bytes(ByteBuffer(bytes: body))
        return r
    }

    /// The endpoints in the order to try them: the preferred one first.
    private func candidates() -> [String] {
        let start = preferred.withLock { $0 }
        return (0..<endpoints.count).map { endpoints[(start + $0) % endpoints.count] }
    }

    private func advance(from endpoint: String) {
        guard let index = endpoints.firstIndex(of: endpoint) else { return }
        preferred.withLock { if $0 == index { $0 = (index + 1) % endpoints.count } }
    }

    /// True for failures before the request reached etcd: no connection could be made.
    private static func neverSent(_ error: any Error) -> Bool {
        if let e = error as? HTTPClientError { return e == .connectTimeout }
        if error is NIOConnectionError { return true }
        if let e = error as? ChannelError, case .connectTimeout = e { return true }
        if let io = error as? IOError { return [ECONNREFUSED, EHOSTUNREACH, ENETUNREACH].contains(io.errnoCode) }
        return false
    }

    private static func serverError(status: HTTPResponseStatus, _ bytes: Data) -> EtcdServerError {
        guard let body = try? JSONDecoder().decode(EtcdWire.ErrorBody.self, from: bytes) else {
            return EtcdServerError(code: EtcdServerError.GRPCCode.unavailable.rawValue, message: "HTTP \(status.code): \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        return EtcdServerError(code: body.code ?? 2, message: body.message ?? "HTTP \(status.code)")
    }

    private static func tlsConfiguration(_ settings: EtcdClientTLS?) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        guard let settings else { return tls }
        do {
            if let ca = settings.caFile { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca)) }
            if let cert = settings.certificateFile, let key = settings.keyFile {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
        } catch {
            throw EtcdConfigurationError("cannot read the etcd TLS files (--etcd-cafile, --etcd-certfile, --etcd-keyfile): \(error)")
        }
        return tls
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at `Int64.max`.
    var wholeNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? Int64.max : scaled &+ attoseconds / 1_000_000_000
    }
}
