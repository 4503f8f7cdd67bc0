import AsyncHTTPClient
import Foundation
import KubernetesAPI
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// The real transport: AsyncHTTPClient with the configuration's CA, client certificate, server
/// name, credentials and timeouts. One `HTTPClient` (one connection pool) per transport;
/// call `shutdown()` once when done.
public final class HTTPKubeTransport: KubeTransport {
    private let http: HTTPClient
    /// `scheme://host:port`, without a path.
    private let origin: String
    /// The server URL's path prefix without a trailing slash (usually empty).
    private let basePath: String
    private let credentials: Credentials
    private let execTLS: ExecTLSCache
    private let requestTimeout: Duration
    private let userAgent: String
    /// The largest non-streaming response body accepted.
    public let maxBodyBytes: Int
    private let logger: Logger
    /// Set by `shutdown()`.
    private let isShutDown = Mutex(false)

    /// Creates a transport; throws `KubeConfigError` when the TLS material is not valid PEM.
    public init(configuration c: ClientConfiguration, maxBodyBytes: Int = 256 << 20, logger: Logger = Logger(label: "concord.kubeclient")) throws {
        var httpConfig = HTTPClient.Configuration()
        httpConfig.timeout = .init(connect: .nanoseconds(c.connectTimeout.nanoseconds), read: .nanoseconds(c.watchIdleTimeout.nanoseconds))
        httpConfig.connectionPool = .init(idleTimeout: .seconds(90), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, c.maxConnectionsPerHost))
        // Fail fast (and typed) on a refused connection instead of retrying until the deadline.
        httpConfig.connectionPool.retryConnectionEstablishment = false
        httpConfig.redirectConfiguration = .disallow
        var url = c.server
        if url.scheme?.lowercased() == "https" {
            httpConfig.tlsConfiguration = try Self.tlsConfiguration(c.tls)
            if let name = c.tls.serverName, let host = url.host, name != host,
                var comps = URLComponents(url: url, resolvingAgainstBaseURL: false)
            {
                // Connect to the real host but use `name` for SNI and verification.
                httpConfig.dnsOverride = [name: host]
                comps.host = name
                url = comps.url ?? url
            }
        }
        guard var comps = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            throw KubeConfigError(.invalidServer, "server \(c.displayServer) is not a valid URL")
        }
        var prefix = comps.percentEncodedPath
        while prefix.hasSuffix("/") { prefix.removeLast() }
        comps.percentEncodedPath = ""
        comps.query = nil
        comps.fragment = nil
        guard let origin = comps.string else {
            throw KubeConfigError(.invalidServer, "server \(c.displayServer) is not a valid URL")
        }
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfig)
        self.origin = origin
        self.basePath = prefix
        self.credentials = c.credentials
        self.execTLS = ExecTLSCache(base: c.tls)
        self.requestTimeout = c.requestTimeout
        self.userAgent = c.userAgent
        self.maxBodyBytes = maxBodyBytes
        self.logger = logger
    }

    /// Closes all connections. Call once, after the last request.
    public func shutdown() async throws {
        isShutDown.withLock { $0 = true }
        try await http.shutdown()
    }

    /// A transport dropped without `shutdown()` (a caller that threw before it) still closes its
    /// connections: the shutdown it starts keeps the connection pool alive until it has finished.
    deinit {
        guard !isShutDown.withLock({ $0 }) else { return }
        logger.warning("A Kubernetes client was released without shutdown(); closing its connections")
        http.shutdown(queue: .global()) { _ in }
    }

    /// Sends a request and collects the whole body.
    public func send(_ request: KubeRequest) async throws -> KubeResponse {
        let response = try await execute(request)
        do {
            let body = try await response.body.collect(upTo: maxBodyBytes)
            return KubeResponse(statusCode: Int(response.status.code), headers: Self.headers(response.headers), body: Data(body.readableBytesView))
        } catch {
            throw Self.map(error, request: request)
        }
    }

    /// Sends a request and returns at the response head; the body streams chunk by chunk.
    public func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse {
        let response = try await execute(request)
        let path = request.path
        let body = response.body.map { Data($0.readableBytesView) }.mapErrors { Self.map($0, path: path) }
        return KubeStreamingResponse(statusCode: Int(response.status.code), headers: Self.headers(response.headers), body: KubeByteStream(body))
    }

    private func execute(_ request: KubeRequest) async throws -> HTTPClientResponse {
        let auth = try await authorization()
        let response = try await execute(request, auth: auth)
        // An exec credential the server rejects is dropped and the plugin re-run, once per request.
        guard response.status == .unauthorized, let used = auth.execCredential, case .exec(let provider) = credentials else { return response }
        _ = try? await response.body.collect(upTo: 1 << 20)
        await provider.invalidate(ifUsing: used)
        logger.debug("exec credential rejected with 401; running the plugin again", metadata: ["command": "\(provider.config.command)"])
        return try await execute(request, auth: try await authorization())
    }

    private func authorization() async throws -> Credentials.Authorization {
        do {
            return try await credentials.authorization()
        } catch let e as KubeConfigError {
            throw e
        } catch {
            throw KubeConfigError(.invalidCredentials, "cannot obtain credentials (\(credentials)): \(error)")
        }
    }

    private func execute(_ request: KubeRequest, auth: Credentials.Authorization) async throws -> HTTPClientResponse {
        var r = HTTPClientRequest(url: origin + basePath + request.pathAndQuery)
        r.method = HTTPMethod(rawValue: request.method.rawValue)
        r.headers.add(name: "Accept", value: request.accept)
        r.headers.add(name: "User-Agent", value: userAgent)
        if let header = auth.header { r.headers.add(name: "Authorization", value: header) }
        if let exec = auth.execCredential, exec.clientCertificatePEM != nil { r.tlsConfiguration = try execTLS.configuration(for: exec) }
        if let body = request.body {
            r.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            r.body = .bytes(ByteBuffer(bytes: body))
        }
        let timeout = request.timeout ?? requestTimeout
        do {
            let response = try await http.execute(r, timeout: .nanoseconds(timeout.nanoseconds))
            logger.trace("API request", metadata: ["method": "\(request.method.rawValue)", "path": "\(request.path)", "code": "\(response.status.code)"])
            return response
        } catch {
            throw Self.map(error, request: request)
        }
    }

    static func tlsConfiguration(_ s: TLSSettings) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        do {
            if let ca = s.caPEM { tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(ca))) }
        } catch {
            throw KubeConfigError(.invalidData, "the certificate authority is not a valid PEM certificate bundle: \(error)")
        }
        if s.insecureSkipVerify { tls.certificateVerification = .none }
        if let cert = s.clientCertificatePEM, let key = s.clientKeyPEM {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(cert)).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(key), format: .pem))
            } catch {
                throw KubeConfigError(.invalidData, "the client certificate or key is not valid PEM: \(error)")
            }
        }
        return tls
    }

    static func headers(_ h: HTTPHeaders) -> [String: String] {
        var out: [String: String] = [:]
        for (name, value) in h { out[name.lowercased()] = value }
        return out
    }

    static func map(_ error: any Error, request: KubeRequest) -> any Error {
        map(error, path: "\(request.method.rawValue) \(request.path)")
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    var nanoseconds: Int64 {
        let (s, a) = components
        let (m, o) = s.multipliedReportingOverflow(by: 1_000_000_000)
        return o ? Int64.max : m &+ a / 1_000_000_000
    }
}
