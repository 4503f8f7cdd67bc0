import Foundation
import KubernetesAPI
import Yams

/// The on-disk kubeconfig format (`apiVersion: v1`, `kind: Config`), as far as Concord reads it.
public struct KubeConfigFile: Codable, Sendable, Hashable {
    /// Named clusters.
    public var clusters: [NamedCluster]
    /// Named users (credentials).
    public var users: [NamedUser]
    /// Named contexts, each a cluster + user + namespace.
    public var contexts: [NamedContext]
    /// The context used when none is named.
    public var currentContext: String?

    /// Creates a kubeconfig.
    public init(clusters: [NamedCluster] = [], users: [NamedUser] = [], contexts: [NamedContext] = [], currentContext: String? = nil) {
        self.clusters = clusters
        self.users = users
        self.contexts = contexts
        self.currentContext = currentContext
    }

    enum CodingKeys: String, CodingKey {
        case clusters, users, contexts
        case currentContext = "current-context"
    }

    /// Decodes, treating missing or null lists as empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        clusters = try c.decodeIfPresent([NamedCluster].self, forKey: .clusters) ?? []
        users = try c.decodeIfPresent([NamedUser].self, forKey: .users) ?? []
        contexts = try c.decodeIfPresent([NamedContext].self, forKey: .contexts) ?? []
        currentContext = try c.decodeIfPresent(String.self, forKey: .currentContext)
    }

    /// Parses kubeconfig YAML (or JSON) text. `source` names the file in errors.
    public static func parse(_ text: String, source: String) throws -> KubeConfigFile {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return KubeConfigFile() }
        do {
            return try YAMLDecoder().decode(KubeConfigFile.self, from: text)
        } catch {
            throw KubeConfigError.malformed(source: source, detail: String(describing: error))
        }
    }

    /// Rewrites relative file references against `directory`, as client-go does for each loaded file.
    public func resolvingPaths(against directory: String) -> KubeConfigFile {
        func abs(_ p: String?) -> String? {
            guard let p, !p.isEmpty else { return p }
            if p.hasPrefix("/") { return p }
            return URL(fileURLWithPath: directory).appendingPathComponent(p).standardizedFileURL.path
        }
        var out = self
        for i in out.clusters.indices {
            out.clusters[i].cluster.certificateAuthority = abs(out.clusters[i].cluster.certificateAuthority)
        }
        for i in out.users.indices {
            out.users[i].user.clientCertificate = abs(out.users[i].user.clientCertificate)
            out.users[i].user.clientKey = abs(out.users[i].user.clientKey)
            out.users[i].user.tokenFile = abs(out.users[i].user.tokenFile)
        }
        return out
    }
}

/// A `clusters[]` entry.
public struct NamedCluster: Codable, Sendable, Hashable {
    /// The entry's name.
    public var name: String
    /// The cluster.
    public var cluster: ClusterEntry

    /// Creates an entry.
    public init(name: String, cluster: ClusterEntry) {
        self.name = name
        self.cluster = cluster
    }
}

/// How to reach and trust an API server.
public struct ClusterEntry: Codable, Sendable, Hashable {
    /// `https://host:port`, optionally with a path prefix.
    public var server: String?
    /// Path to a PEM CA bundle.
    public var certificateAuthority: String?
    /// Base64 PEM CA bundle; wins over the file.
    public var certificateAuthorityData: String?
    /// Skip server certificate verification (an error together with a CA).
    public var insecureSkipTLSVerify: Bool?
    /// Server name for SNI and certificate verification, when it differs from the URL's host.
    public var tlsServerName: String?
    /// Proxy URL (not supported yet; rejected with a clear error when used).
    public var proxyURL: String?
    /// Named extensions (`[{name, extension}]`); exec plugins may receive `client.authentication.k8s.io/exec`.
    public var extensions: JSONValue?

    /// Creates an entry.
    public init(server: String? = nil, certificateAuthority: String? = nil, certificateAuthorityData: String? = nil, insecureSkipTLSVerify: Bool? = nil, tlsServerName: String? = nil, proxyURL: String? = nil, extensions: JSONValue? = nil) {
        self.extensions = extensions
        self.server = server
        self.certificateAuthority = certificateAuthority
        self.certificateAuthorityData = certificateAuthorityData
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.proxyURL = proxyURL
    }

    enum CodingKeys: String, CodingKey {
        case server
        case certificateAuthority = "certificate-authority"
        case certificateAuthorityData = "certificate-authority-data"
        case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        case tlsServerName = "tls-server-name"
        case proxyURL = "proxy-url"
        case extensions
    }

    /// The `client.authentication.k8s.io/exec` extension, handed to exec plugins as `spec.cluster.config`.
    public var execExtension: JSONValue? {
        extensions?.arrayValue?.first { $0["name"]?.stringValue == "client.authentication.k8s.io/exec" }?["extension"]
    }
}

/// A `users[]` entry.
public struct NamedUser: Codable, Sendable, Hashable {
    /// The entry's name.
    public var name: String
    /// The credentials.
    public var user: UserEntry

    /// Creates an entry.
    public init(name: String, user: UserEntry) {
        self.name = name
        self.user = user
    }
}

/// Credentials for an API server.
public struct UserEntry: Codable, Sendable, Hashable {
    /// Path to a PEM client certificate.
    public var clientCertificate: String?
    /// Base64 PEM client certificate; wins over the file.
    public var clientCertificateData: String?
    /// Path to a PEM client key.
    public var clientKey: String?
    /// Base64 PEM client key; wins over the file.
    public var clientKeyData: String?
    /// A bearer token.
    public var token: String?
    /// A file holding a bearer token, re-read periodically.
    public var tokenFile: String?
    /// Basic-auth user name.
    public var username: String?
    /// Basic-auth password.
    public var password: String?
    /// An exec credential plugin (see `ExecConfig`).
    public var exec: JSONValue?

    /// Creates an entry.
    public init(clientCertificate: String? = nil, clientCertificateData: String? = nil, clientKey: String? = nil, clientKeyData: String? = nil, token: String? = nil, tokenFile: String? = nil, username: String? = nil, password: String? = nil, exec: JSONValue? = nil) {
        self.clientCertificate = clientCertificate
        self.clientCertificateData = clientCertificateData
        self.clientKey = clientKey
        self.clientKeyData = clientKeyData
        self.token = token
        self.tokenFile = tokenFile
        self.username = username
        self.password = password
        self.exec = exec
    }

    enum CodingKeys: String, CodingKey {
        case clientCertificate = "client-certificate"
        case clientCertificateData = "client-certificate-data"
        case clientKey = "client-key"
        case clientKeyData = "client-key-data"
        case token, tokenFile, username, password, exec
    }
}

/// A `contexts[]` entry.
public struct NamedContext: Codable, Sendable, Hashable {
    /// The entry's name.
    public var name: String
    /// The context.
    public var context: ContextEntry

    /// Creates an entry.
    public init(name: String, context: ContextEntry) {
        self.name = name
        self.context = context
    }
}

/// A cluster, a user and a default namespace.
public struct ContextEntry: Codable, Sendable, Hashable {
    /// The cluster's name.
    public var cluster: String
    /// The user's name (may be empty for anonymous access).
    public var user: String?
    /// The default namespace.
    public var namespace: String?

    /// Creates an entry.
    public init(cluster: String, user: String? = nil, namespace: String? = nil) {
        self.cluster = cluster
        self.user = user
        self.namespace = namespace
    }
}
