import Foundation
import KubernetesAPI
import Yams

/// The kubeconfig cluster extension that lists every API server of one cluster, for clients that
/// fail over between them (Concord's hub servers sharing one etcd):
///
/// ```yaml
/// clusters:
/// - name: hub
///   cluster:
///     server: https://127.0.0.1:6443
///     extensions:
///     - name: federation.concord.dev/servers
///       extension:
///         servers: [https://127.0.0.1:6443, https://127.0.0.1:6444]
/// ```
///
/// kubectl ignores the extension and talks to `server`; Concord's clients try `server` first and
/// then the listed servers in order. The servers share the cluster's CA, TLS server name and user.
public enum ServersExtension {
    /// The extension's name.
    public static let name = "federation.concord.dev/servers"

    /// The extension entry for a kubeconfig cluster's `extensions` list.
    public static func entry(servers: [String]) -> JSONValue {
        ["name": .string(name), "extension": ["servers": .array(servers.map { .string($0) })]]
    }

    /// `kubeconfig` with every cluster listing `servers` in the extension (replacing an earlier
    /// list); each cluster's `server` stays as it is, for kubectl.
    public static func adding(servers: [String], to kubeconfig: String, source: String = "kubeconfig") throws -> String {
        var file = try KubeConfigFile.parse(kubeconfig, source: source)
        for i in file.clusters.indices {
            var others = file.clusters[i].cluster.extensions?.arrayValue ?? []
            others.removeAll { $0["name"]?.stringValue == name }
            file.clusters[i].cluster.extensions = .array(others + [entry(servers: servers)])
        }
        return "apiVersion: v1\nkind: Config\n" + (try YAMLEncoder().encode(file))
    }
}

extension ClusterEntry {
    /// The servers listed by the `federation.concord.dev/servers` extension (nil when absent).
    public var serversExtension: JSONValue? {
        extensions?.arrayValue?.first { $0["name"]?.stringValue == ServersExtension.name }?["extension"]
    }
}

extension MergedKubeConfig {
    /// The cluster's servers besides `server`, from the `federation.concord.dev/servers` extension,
    /// in its order, each once.
    static func alternateServers(_ c: ClusterEntry, name: String, server: URL) throws -> [URL] {
        guard let ext = c.serversExtension else { return [] }
        guard let list = ext["servers"]?.arrayValue else {
            throw KubeConfigError(
                .invalidServer,
                "cluster \"\(name)\" has a \(ServersExtension.name) extension without a servers list; write extension: {servers: [https://HOST:PORT, …]}")
        }
        var seen: Set<String> = [server.absoluteString]
        var out: [URL] = []
        for item in list {
            guard let text = item.stringValue else {
                throw KubeConfigError(.invalidServer, "cluster \"\(name)\" lists a server in \(ServersExtension.name) that is not a string; list URLs like https://HOST:PORT")
            }
            var entry = ClusterEntry()
            entry.server = text
            let url = try serverURL(entry, name: name)
            if seen.insert(url.absoluteString).inserted { out.append(url) }
        }
        return out
    }
}
