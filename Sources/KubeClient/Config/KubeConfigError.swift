import Foundation
import KubernetesAPI

/// Configuration could not be loaded; the message says what to fix. Never contains secrets.
public struct KubeConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem, for programmatic checks.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        fileprivate enum Value: String, Sendable, Hashable {
            case fileNotFound, unreadable, malformed, noConfiguration, noCurrentContext, contextNotFound
            case clusterNotFound, userNotFound, invalidServer, conflictingTLS, invalidData, incompleteCertificate
            case conflictingAuth, unsupported, notInCluster, invalidCredentials, execPlugin
        }
        fileprivate let value: Value

        /// An explicitly named kubeconfig file does not exist.
        public static let fileNotFound = Code(value: .fileNotFound)
        /// A file exists but could not be read.
        public static let unreadable = Code(value: .unreadable)
        /// A kubeconfig file is not valid YAML of the expected shape.
        public static let malformed = Code(value: .malformed)
        /// No kubeconfig and no in-cluster environment were found.
        public static let noConfiguration = Code(value: .noConfiguration)
        /// No context was named and `current-context` is unset.
        public static let noCurrentContext = Code(value: .noCurrentContext)
        /// The named context does not exist.
        public static let contextNotFound = Code(value: .contextNotFound)
        /// The context names a cluster that does not exist.
        public static let clusterNotFound = Code(value: .clusterNotFound)
        /// The context names a user that does not exist.
        public static let userNotFound = Code(value: .userNotFound)
        /// The cluster's `server` is missing or not an http(s) URL.
        public static let invalidServer = Code(value: .invalidServer)
        /// A CA is configured together with `insecure-skip-tls-verify`.
        public static let conflictingTLS = Code(value: .conflictingTLS)
        /// A `*-data` field is not valid base64, or a file is not valid PEM.
        public static let invalidData = Code(value: .invalidData)
        /// A client certificate without a key, or a key without a certificate.
        public static let incompleteCertificate = Code(value: .incompleteCertificate)
        /// A token together with basic auth.
        public static let conflictingAuth = Code(value: .conflictingAuth)
        /// A feature Concord does not support (proxies, exec plugin API versions other than v1/v1beta1).
        public static let unsupported = Code(value: .unsupported)
        /// The in-cluster environment is incomplete.
        public static let notInCluster = Code(value: .notInCluster)
        /// A bearer token could not be read, or a credential entry is invalid.
        public static let invalidCredentials = Code(value: .invalidCredentials)
        /// An exec credential plugin failed: not found, non-zero exit, or output that is not an ExecCredential.
        public static let execPlugin = Code(value: .execPlugin)

        /// The code's name.
        public var description: String { value.rawValue }
    }

    /// The kind of problem.
    public var code: Code
    /// What is wrong and what to do about it.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    static func malformed(source: String, detail: String) -> KubeConfigError {
        KubeConfigError(.malformed, "kubeconfig \(source) is not valid: \(detail); fix the YAML or point --kubeconfig at another file")
    }
}
