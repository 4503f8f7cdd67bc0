import KubeClient

/// One read from the hub a `--kubeconfig` names, for commands that work offline otherwise
/// (`concord validate`, `concord version`): the client is shut down either way, and a failure
/// becomes one line from `explain(error, server)`.
enum HubQuery {
    /// The result of `body` and the server it came from (as kubeconfigs print it).
    static func read<T: Sendable>(
        kubeconfig: String, context: String?, explain: (any Error, String) -> String,
        _ body: (KubeClient) async throws -> T
    ) async throws -> (value: T, server: String) {
        let hub: KubeClient
        do {
            hub = try KubeClient(kubeconfigPath: kubeconfig, context: context)
        } catch {
            throw CLIError("\(error)")
        }
        let server = hub.configuration?.displayServer ?? kubeconfig
        do {
            let value = try await body(hub)
            try await hub.shutdown()
            return (value, server)
        } catch {
            try? await hub.shutdown()
            throw CLIError(explain(error, server))
        }
    }
}
