import Foundation
import KubernetesAPI

/// A kubeconfig `users[].user.exec` entry: a credential plugin run to obtain a token or a client
/// certificate (client.authentication.k8s.io `v1` or `v1beta1`).
public struct ExecConfig: Codable, Sendable, Hashable {
    /// When the plugin may talk to a person on the terminal.
    public enum InteractiveMode: String, Codable, Sendable, Hashable {
        /// Never: the plugin must work without a terminal (what a controller needs).
        case never = "Never"
        /// Use a terminal when there is one; Concord never provides one, so the plugin runs non-interactively.
        case ifAvailable = "IfAvailable"
        /// The plugin needs a terminal: Concord cannot run it.
        case always = "Always"
    }

    /// One environment variable for the plugin.
    public struct EnvVar: Codable, Sendable, Hashable {
        /// The variable's name.
        public var name: String
        /// Its value.
        public var value: String

        /// Creates a variable.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The plugin's executable: a path, or a name looked up on `PATH`.
    public var command: String
    /// Arguments.
    public var args: [String]?
    /// Extra environment variables, added to the process's own.
    public var env: [EnvVar]?
    /// `client.authentication.k8s.io/v1` or `client.authentication.k8s.io/v1beta1`.
    public var apiVersion: String
    /// Pass the cluster's server and CA to the plugin in `KUBERNETES_EXEC_INFO`.
    public var provideClusterInfo: Bool?
    /// Required for `v1`; `v1beta1` defaults to `IfAvailable`.
    public var interactiveMode: InteractiveMode?
    /// Shown when the command cannot be found.
    public var installHint: String?

    /// Creates a configuration.
    public init(
        command: String, args: [String]? = nil, env: [EnvVar]? = nil, apiVersion: String = ExecConfig.v1,
        provideClusterInfo: Bool? = nil, interactiveMode: InteractiveMode? = .never, installHint: String? = nil
    ) {
        self.command = command
        self.args = args
        self.env = env
        self.apiVersion = apiVersion
        self.provideClusterInfo = provideClusterInfo
        self.interactiveMode = interactiveMode
        self.installHint = installHint
    }

    /// `client.authentication.k8s.io/v1`.
    public static let v1 = "client.authentication.k8s.io/v1"
    /// `client.authentication.k8s.io/v1beta1`.
    public static let v1beta1 = "client.authentication.k8s.io/v1beta1"

    /// Decodes and validates an `exec` entry of user `user`, as client-go does.
    public static func parse(_ value: JSONValue, user: String) throws -> ExecConfig {
        let config: ExecConfig
        do {
            config = try value.decode(ExecConfig.self)
        } catch {
            throw KubeConfigError(.invalidCredentials, "user \"\(user)\" has an exec entry that cannot be read (\(error)); it needs command, apiVersion and, for v1, interactiveMode")
        }
        guard !config.command.isEmpty else {
            throw KubeConfigError(.invalidCredentials, "user \"\(user)\" has an exec entry without a command")
        }
        guard config.apiVersion == v1 || config.apiVersion == v1beta1 else {
            throw KubeConfigError(.unsupported, "user \"\(user)\": exec plugin \(config.command) asks for apiVersion \"\(config.apiVersion)\"; Concord supports \(v1) and \(v1beta1)")
        }
        if config.apiVersion == v1 && config.interactiveMode == nil {
            throw KubeConfigError(.invalidCredentials, "user \"\(user)\": interactiveMode must be set for exec plugin \(config.command) with \(v1); use Never for a controller")
        }
        return config
    }

    /// The interactive mode in force (`v1beta1` defaults to `IfAvailable`).
    public var effectiveInteractiveMode: InteractiveMode { interactiveMode ?? .ifAvailable }
}

/// The cluster as a plugin sees it in `KUBERNETES_EXEC_INFO` (`spec.cluster`, with `provideClusterInfo`).
public struct ExecClusterInfo: Codable, Sendable, Hashable {
    /// The API server URL.
    public var server: String
    /// The server name for TLS verification, if it differs from the URL's host.
    public var tlsServerName: String?
    /// Whether TLS verification is off.
    public var insecureSkipTLSVerify: Bool?
    /// The PEM CA bundle, base64-encoded.
    public var certificateAuthorityData: String?
    /// The proxy URL, if any.
    public var proxyURL: String?
    /// The cluster's `client.authentication.k8s.io/exec` extension, if any.
    public var config: JSONValue?

    /// Creates cluster info.
    public init(server: String, tlsServerName: String? = nil, insecureSkipTLSVerify: Bool? = nil, certificateAuthorityData: String? = nil, proxyURL: String? = nil, config: JSONValue? = nil) {
        self.server = server
        self.tlsServerName = tlsServerName
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.certificateAuthorityData = certificateAuthorityData
        self.proxyURL = proxyURL
        self.config = config
    }

    enum CodingKeys: String, CodingKey {
        case server, config
        case tlsServerName = "tls-server-name"
        case insecureSkipTLSVerify = "insecure-skip-tls-verify"
        case certificateAuthorityData = "certificate-authority-data"
        case proxyURL = "proxy-url"
    }
}
