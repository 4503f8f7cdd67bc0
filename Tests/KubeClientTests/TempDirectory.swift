import Foundation

/// A temporary directory removed when the value is deinitialised.
final class TempDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "concord-kubeclient-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            print("could not remove \(path): \(error)")
        }
    }

    /// Writes a file (creating directories) and returns its absolute path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let full = (path as NSString).appendingPathComponent(relative)
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }
}

/// A one-context kubeconfig.
func kubeconfig(cluster: String = "c", server: String = "https://127.0.0.1:6443", user: String = "u", context: String = "ctx",
                current: String? = "ctx", namespace: String? = nil, clusterExtra: String = "", userExtra: String = "  user:\n    token: t-\(UUID().uuidString.prefix(4))\n") -> String {
    var s = """
    apiVersion: v1
    kind: Config
    clusters:
    - name: \(cluster)
      cluster:
        server: \(server)
    \(clusterExtra)
    users:
    - name: \(user)
    \(userExtra)
    contexts:
    - name: \(context)
      context:
        cluster: \(cluster)
        user: \(user)

    """
    if let namespace { s += "    namespace: \(namespace)\n" }
    if let current { s += "current-context: \(current)\n" }
    return s
}
