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
    /// Over HTTPS the cluster carries `certificate-authority-data` (when the server's CA is known) and the
    /// user a plain `token`. kubectl (client-go) sends credentials only over TLS, so for plain HTTP the
    /// server URL carries the token as the path prefix `/token/<token>`; the `token` field serves clients
    /// that send it anyway.
    static func kubeconfig(server: String, token: String?, certificateAuthorityPEM: String? = nil) -> String {
        let user = token.map { "\n    token: \($0)" } ?? " {}"
        let authority = certificateAuthorityPEM.map { "\n    certificate-authority-data: \(Data($0.utf8).base64EncodedString())" } ?? ""
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: concord
          cluster:
            server: \(server)\(authority)
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

    /// Writes a file readable only by its owner: the data goes to a temporary file created 0600 beside
    /// it, which then replaces `path`, so the secret is never readable by others, even briefly.
    static func writePrivate(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ControlPlaneError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.close()
            // The umask can only narrow 0600; setting it again covers a leftover temporary file.
            guard chmod(temporary, 0o600) == 0, rename(temporary, path) == 0 else {
                throw ControlPlaneError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
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
