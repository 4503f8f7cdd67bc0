import Foundation
import KubernetesAPI

/// Everything needed to talk to one API server: resolved from a kubeconfig context or the
/// in-cluster environment. Paths are already read: `*-data` fields override files.
public struct ClientConfiguration: Sendable {
    /// The API server's base URL (`https://host:port[/prefix]`).
    public var server: URL
    /// Further servers of the same cluster, tried in order when `server` is unavailable (the
    /// kubeconfig cluster's `federation.concord.dev/servers` extension); empty for one server.
    public var alternateServers: [URL] = []
    /// How to trust the server and present a client certificate.
    public var tls: TLSSettings
    /// How requests authenticate.
    public var credentials: Credentials
    /// The context's default namespace (`default` when unset).
    public var namespace: String
    /// Where this came from, for logs: `kubeconfig /path (context dev)` or `in-cluster`.
    public var source: String
    /// Bound on establishing a connection (TCP + TLS). Short, because a TLS trust failure only shows after it.
    public var connectTimeout: Duration
    /// Default bound on a request up to its response head; watches are not bounded by it.
    public var requestTimeout: Duration
    /// Idle bound on reading a streaming body; longer than the server's bookmark interval.
    public var watchIdleTimeout: Duration
    /// The `User-Agent` header.
    public var userAgent: String
    /// HTTP/1 connections kept per server. Every open watch holds one, so this must exceed the
    /// number of informers on one server (AsyncHTTPClient's default of 8 would starve requests).
    public var maxConnectionsPerHost: Int
    /// Client-side rate limit in requests per second (client-go's `QPS`); 0 or less turns it off,
    /// as controller-runtime does by default.
    public var qps: Double
    /// Requests allowed in a burst above `qps` (client-go's `Burst`).
    public var burst: Int
    /// Retries of a 429 or 5xx answer that carries `Retry-After` (client-go: 10).
    public var maxRetries: Int
    /// Fail fast while the server keeps timing out (nil: off, the default).
    public var circuitBreaker: CircuitBreakerSettings?

    /// Creates a configuration; usually built by `ClientConfiguration.load` instead.
    public init(
        server: URL, tls: TLSSettings = TLSSettings(), credentials: Credentials = .none, namespace: String = "default",
        source: String = "explicit", connectTimeout: Duration = .seconds(5), requestTimeout: Duration = .seconds(30),
        watchIdleTimeout: Duration = .seconds(330), userAgent: String = "concord/0.1", maxConnectionsPerHost: Int = 64,
        qps: Double = 0, burst: Int = 10, maxRetries: Int = 10, circuitBreaker: CircuitBreakerSettings? = nil
    ) {
        self.circuitBreaker = circuitBreaker
        self.qps = qps
        self.burst = burst
        self.maxRetries = maxRetries
        self.server = server
        self.tls = tls
        self.credentials = credentials
        self.namespace = namespace
        self.source = source
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.watchIdleTimeout = watchIdleTimeout
        self.userAgent = userAgent
        self.maxConnectionsPerHost = maxConnectionsPerHost
    }
}

extension ClientConfiguration {
    /// Every server of the cluster: `server` first, then `alternateServers`.
    public var servers: [URL] { [server] + alternateServers }

    /// The server for logs and messages: `scheme://host:port`, with any path prefix elided as
    /// `/…` and any user info dropped. Some servers carry credentials in the URL (Concord's
    /// embedded control plane puts `/token/<token>` there for plain-HTTP kubectl), so never log
    /// `server` itself.
    public var displayServer: String { Self.redact(server) }

    /// `scheme://host:port[/…]` of any URL, without user info or path.
    public static func redact(_ url: URL) -> String {
        guard var c = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return "<invalid URL>" }
        let hasPath = !(c.percentEncodedPath.isEmpty || c.percentEncodedPath == "/")
        c.user = nil
        c.password = nil
        c.percentEncodedPath = ""
        c.query = nil
        c.fragment = nil
        return (c.string ?? "<invalid URL>") + (hasPath ? "/…" : "")
    }
}

/// TLS material, already read from files or decoded from base64.
public struct TLSSettings: Sendable, Hashable {
    /// PEM CA bundle to trust instead of the system roots.
    public var caPEM: Data?
    /// Skip verification of the server's certificate.
    public var insecureSkipVerify: Bool
    /// Server name for SNI and verification, when it differs from the URL's host.
    public var serverName: String?
    /// PEM client certificate (chain).
    public var clientCertificatePEM: Data?
    /// PEM client private key.
    public var clientKeyPEM: Data?

    /// Creates settings.
    public init(caPEM: Data? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil, clientCertificatePEM: Data? = nil, clientKeyPEM: Data? = nil) {
        self.caPEM = caPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
    }
}

/// How requests authenticate. `description` never shows a secret.
public enum Credentials: Sendable, CustomStringConvertible {
    /// Anonymous (or client-certificate only).
    case none
    /// A fixed bearer token.
    case bearer(String)
    /// A bearer token re-read from a file (service-account tokens rotate).
    case tokenFile(FileTokenSource)
    /// HTTP basic auth.
    case basic(username: String, password: String)
    /// A kubeconfig exec plugin's token or client certificate, cached until it expires.
    case exec(ExecCredentialProvider)

    /// The kind of credential, without its value.
    public var description: String {
        switch self {
        case .none: return "none"
        case .bearer: return "bearer token"
        case .tokenFile(let s): return "token file \(s.path)"
        case .basic(let u, _): return "basic auth as \(u)"
        case .exec(let p): return "exec plugin \(p.config.command)"
        }
    }

    /// The `Authorization` header value, if any. Exec credentials need the plugin: use `authorization()`.
    public func authorizationHeader() throws -> String? {
        switch self {
        case .none: return nil
        case .bearer(let t): return "Bearer \(t)"
        case .tokenFile(let s): return "Bearer \(try s.token())"
        case .basic(let u, let p): return "Basic \(Data("\(u):\(p)".utf8).base64EncodedString())"
        case .exec(let p): throw KubeUsageError("exec plugin \(p.config.command) credentials are obtained asynchronously; call authorization()")
        }
    }

    /// How one request authenticates: the `Authorization` header and, from an exec plugin, the
    /// credential used (to invalidate it after a 401) and any client certificate it returned.
    public struct Authorization: Sendable {
        /// The `Authorization` header value, if any.
        public var header: String?
        /// The exec credential this came from, if any.
        public var execCredential: ExecCredentialStatus?
    }

    /// The credentials for the next request, running the exec plugin if its credential is missing or expired.
    public func authorization() async throws -> Authorization {
        guard case .exec(let provider) = self else { return Authorization(header: try authorizationHeader()) }
        let c = try await provider.credential()
        return Authorization(header: c.token.map { "Bearer \($0)" }, execCredential: c)
    }
}
