import Foundation
import KubernetesAPI

/// Runs a kubeconfig exec plugin and caches its credential until it expires, as client-go does.
///
/// - The plugin gets the process environment, the configured `env`, and `KUBERNETES_EXEC_INFO`
///   (an `ExecCredential` with `spec.interactive: false` and, with `provideClusterInfo`, the cluster).
/// - Its standard input is empty: Concord never offers a terminal, so `interactiveMode: Always`
///   is refused with a clear error; `IfAvailable` and `Never` run non-interactively.
/// - Concurrent callers share one run; a failed run is not cached.
/// - `invalidate(ifUsing:)` drops the cached credential after the server answered 401 with it.
public actor ExecCredentialProvider {
    /// The plugin configuration.
    public nonisolated let config: ExecConfig
    /// The cluster passed to the plugin when `provideClusterInfo` is set.
    public nonisolated let cluster: ExecClusterInfo?
    /// The user entry's name, for messages.
    public nonisolated let user: String
    private let now: @Sendable () -> Date
    private let runTimeout: Duration
    private var cached: ExecCredentialStatus?
    private var running: [CheckedContinuation<ExecCredentialStatus, any Error>]?
    /// How many times the plugin has been started (for logs and tests).
    public private(set) var runs = 0

    /// Creates a provider; `now` decides expiry (tests inject it), `runTimeout` bounds one plugin run.
    public init(config: ExecConfig, cluster: ExecClusterInfo?, user: String, runTimeout: Duration = .seconds(60), now: @escaping @Sendable () -> Date = { Date() }) {
        self.config = config
        self.cluster = cluster
        self.user = user
        self.runTimeout = runTimeout
        self.now = now
    }

    /// The cached credential if it has not expired, else a fresh one from the plugin.
    public func credential() async throws -> ExecCredentialStatus {
        if let c = cached, !c.isExpired(at: now()) { return c }
        if running != nil {
            return try await withCheckedThrowingContinuation { running?.append($0) }
        }
        running = []
        let result: Result<ExecCredentialStatus, any Error>
        do {
            result = .success(try await run())
        } catch {
            result = .failure(error)
        }
        let waiters = running ?? []
        running = nil
        if case .success(let c) = result { cached = c }
        for w in waiters { w.resume(with: result) }
        return try result.get()
    }

    /// The credential cached right now, without running the plugin.
    public var cachedCredential: ExecCredentialStatus? { cached }

    /// Forgets the cached credential if it is still the one a rejected request used (a newer one stays).
    public func invalidate(ifUsing used: ExecCredentialStatus) {
        if cached == used { cached = nil }
    }

    private func run() async throws -> ExecCredentialStatus {
        if config.effectiveInteractiveMode == .always {
            throw KubeConfigError(.execPlugin, "exec plugin \(config.command) for user \"\(user)\" has interactiveMode Always, but it needs a terminal and Concord runs without one; set interactiveMode to Never or IfAvailable, or use a token")
        }
        let info = ExecCredentialRequest(
            apiVersion: config.apiVersion,
            spec: .init(interactive: false, cluster: config.provideClusterInfo == true ? cluster : nil))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var environment = ProcessInfo.processInfo.environment
        for v in config.env ?? [] { environment[v.name] = v.value }
        environment["KUBERNETES_EXEC_INFO"] = String(decoding: try encoder.encode(info), as: UTF8.self)
        runs += 1
        let output = try await PluginProcess.run(command: config.command, arguments: config.args ?? [], environment: environment, timeout: runTimeout, installHint: config.installHint)
        return try ExecCredentialStatus.parse(output, apiVersion: config.apiVersion, command: config.command)
    }
}
