import Foundation
import KubernetesAPI
import Synchronization

/// A bearer token read from a file and re-read once `refreshInterval` has passed
/// (client-go re-reads service-account tokens every minute). The last good value is kept
/// when a re-read fails; a fallback token (from `token:` in the kubeconfig) covers the first read.
public final class FileTokenSource: Sendable {
    /// The token file.
    public let path: String
    /// How long a read value is used before the file is read again.
    public let refreshInterval: Duration
    private let fallback: String?
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex<(token: String?, readAt: ContinuousClock.Instant?)>((nil, nil))

    /// Creates a source; `now` is injectable so tests control refreshes.
    public init(
        path: String, refreshInterval: Duration = .seconds(60), fallback: String? = nil,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.path = path
        self.refreshInterval = refreshInterval
        self.fallback = fallback
        self.now = now
    }

    /// The current token, re-reading the file when the last read is older than `refreshInterval`.
    public func token() throws -> String {
        let t = now()
        let cached: String? = state.withLock { s in
            if let tok = s.token, let at = s.readAt, at.duration(to: t) < refreshInterval { return tok }
            return nil
        }
        if let cached { return cached }
        let read = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return try state.withLock { s in
            if let read, !read.isEmpty {
                s = (read, t)
                return read
            }
            if let old = s.token ?? fallback { return old }
            throw KubeConfigError(.invalidCredentials, "cannot read bearer token file \(path); check that it exists and is readable")
        }
    }
}
