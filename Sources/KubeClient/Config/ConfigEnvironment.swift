import Foundation
import KubernetesAPI

/// What configuration loading reads from the process: environment variables, the home
/// directory and the service-account mount. Injected so tests control every input.
public struct ConfigEnvironment: Sendable {
    /// Environment variables (`KUBECONFIG`, `KUBERNETES_SERVICE_HOST`, `KUBERNETES_SERVICE_PORT`).
    public var variables: [String: String]
    /// The home directory, for `~/.kube/config`.
    public var homeDirectory: String?
    /// The service-account mount (`token`, `ca.crt`, `namespace`).
    public var serviceAccountDirectory: String

    /// Creates an environment.
    public init(variables: [String: String], homeDirectory: String?, serviceAccountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount") {
        self.variables = variables
        self.homeDirectory = homeDirectory
        self.serviceAccountDirectory = serviceAccountDirectory
    }

    /// The real process environment.
    public static var process: ConfigEnvironment {
        let env = ProcessInfo.processInfo.environment
        return ConfigEnvironment(variables: env, homeDirectory: env["HOME"] ?? NSHomeDirectory())
    }
}

/// The merged contents of one or more kubeconfig files, following client-go's rules: the first
/// file to define a cluster, user or context name wins the whole entry; the first non-empty
/// `current-context` wins; relative paths resolve against the directory of their own file.
public struct MergedKubeConfig: Sendable {
    /// Clusters by name.
    public var clusters: [String: ClusterEntry] = [:]
    /// Users by name.
    public var users: [String: UserEntry] = [:]
    /// Contexts by name.
    public var contexts: [String: ContextEntry] = [:]
    /// The first non-empty current-context.
    public var currentContext: String?
    /// The files that were read, in order.
    public var files: [String] = []

    /// Creates an empty merge.
    public init() {}

    /// Merges one parsed file read from `path`.
    public mutating func merge(_ file: KubeConfigFile, from path: String) {
        let resolved = file.resolvingPaths(against: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        for c in resolved.clusters where clusters[c.name] == nil { clusters[c.name] = c.cluster }
        for u in resolved.users where users[u.name] == nil { users[u.name] = u.user }
        for c in resolved.contexts where contexts[c.name] == nil { contexts[c.name] = c.context }
        if (currentContext ?? "").isEmpty, let cc = resolved.currentContext, !cc.isEmpty { currentContext = cc }
        files.append(path)
    }

    /// Reads and merges files in order. Missing files are skipped unless `required`; duplicates are read once.
    public static func load(paths: [String], required: Bool) throws -> MergedKubeConfig {
        var merged = MergedKubeConfig()
        var seen: Set<String> = []
        for path in paths where !path.isEmpty && seen.insert(path).inserted {
            guard FileManager.default.fileExists(atPath: path) else {
                if required {
                    throw KubeConfigError(.fileNotFound, "kubeconfig \(path) does not exist; check the --kubeconfig path")
                }
                continue
            }
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw KubeConfigError(.unreadable, "cannot read kubeconfig \(path): \(error.localizedDescription); check its permissions")
            }
            merged.merge(try KubeConfigFile.parse(text, source: path), from: path)
        }
        return merged
    }
}
