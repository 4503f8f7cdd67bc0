import Foundation

/// The bearer token and the kubeconfig a control plane hands to its users.
enum Credentials {
    /// The configured token, else the one kept in the data directory, else a new random one (saved 0600).
    static func loadOrCreateToken(_ configuration: ControlPlaneConfiguration) throws -> String {
        if let token = configuration.token, !token.isEmpty { return token }
        let path = configuration.tokenPath
        if let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty
        {
            return text
        }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        try writePrivate(Data((token + "\n").utf8), to: path)
        return token
    }

    /// A kubeconfig with one cluster, one user (the token) and one current context, all named `concord`.
    ///
    /// kubectl (client-go) sends credentials only over TLS, so for plain HTTP the server URL carries the
    /// token as the path prefix `/token/<token>`; the `token` field serves clients that send it anyway.
    static func kubeconfig(server: String, token: String?) -> String {
        let user = token.map { "\n    token: \($0)" } ?? " {}"
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: concord
          cluster:
            server: \(server)
        users:
        - name: concord
          user:\(user)
        contexts:
        - name: concord
          context:
            cluster: concord
            user: concord
            namespace: default
        current-context: concord
        preferences: {}

        """
    }

    /// Writes a file readable only by its owner.
    static func writePrivate(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try data.write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }

    /// Compares in constant time, so the token can't be guessed byte by byte.
    static func tokensMatch(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
