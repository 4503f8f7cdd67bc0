import Foundation

/// How the etcd backend reaches its cluster and keeps it tidy (`concord server --storage etcd`).
///
/// ```swift
/// var etcd = EtcdStorageConfiguration(endpoints: [URL(string: "http://127.0.0.1:2379")!])
/// etcd.prefix = "/concord"
/// let store = try EtcdObjectStore(configuration: etcd)
/// ```
public struct EtcdStorageConfiguration: Sendable {
    /// The members' client URLs (`http://` or `https://`); requests go to one and move on when it fails.
    public var endpoints: [URL]
    /// The key prefix every object lives under: `<prefix>/<resource>/<namespace>/<name>`.
    public var prefix: String
    /// Client certificates and the CA for `https://` endpoints; nil uses the system trust store and no client certificate.
    public var tls: EtcdClientTLS?
    /// How often history is compacted (kube-apiserver's default: 5 minutes); zero turns compaction off.
    public var compactionInterval: Duration
    /// The longest a single etcd request may take before the next endpoint is tried.
    public var requestTimeout: Duration
    /// The largest request etcd accepts (its `--max-request-bytes`, 1.5 MiB by default); bigger writes get 413.
    public var maxRequestBytes: Int
    /// How long a watch waits for news before checking, with a read, that it has missed nothing.
    public var progressCheckInterval: Duration = .seconds(5)
    /// The clock that paces compaction and watch checks.
    public var clock: any Clock<Duration>

    /// Creates a configuration with the `/concord` prefix, 5-minute compaction and 1.5 MiB requests.
    public init(
        endpoints: [URL], prefix: String = "/concord", tls: EtcdClientTLS? = nil, compactionInterval: Duration = .seconds(300),
        requestTimeout: Duration = .seconds(10), maxRequestBytes: Int = 1_572_864, clock: any Clock<Duration> = ContinuousClock()
    ) {
        self.endpoints = endpoints
        self.prefix = prefix
        self.tls = tls
        self.compactionInterval = compactionInterval
        self.requestTimeout = requestTimeout
        self.maxRequestBytes = maxRequestBytes
        self.clock = clock
    }

    /// Parses `URL[,URL…]` as given to `--etcd-endpoints`; throws a one-line error naming the bad entry.
    public static func endpoints(parsing list: String) throws -> [URL] {
        let entries = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !entries.isEmpty else { throw EtcdConfigurationError("--etcd-endpoints is empty; give URLs like http://127.0.0.1:2379") }
        return try entries.map { entry in
            guard let url = URL(string: entry), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
                throw EtcdConfigurationError("etcd endpoint \(entry) is not an http:// or https:// URL (for example http://127.0.0.1:2379)")
            }
            return url
        }
    }

    /// The prefix without trailing slashes and with a leading one: `/concord`.
    var normalizedPrefix: String {
        var p = prefix
        while p.hasSuffix("/") { p.removeLast() }
        return p.hasPrefix("/") ? p : "/" + p
    }
}

/// PEM files for talking to etcd over TLS (kube-apiserver's `--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile`).
public struct EtcdClientTLS: Sendable, Hashable {
    /// The CA bundle that signed the members' serving certificates; nil trusts the system store.
    public var caFile: String?
    /// The client certificate presented to etcd.
    public var certificateFile: String?
    /// The client certificate's private key.
    public var keyFile: String?

    /// Creates TLS settings.
    public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
    }
}

/// A bad etcd setting, with the fix in its message.
public struct EtcdConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The one-line explanation.
    public let description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
