import KubeClient

/// Runs `body` with `count` clients of the server behind `kubeconfig` and shuts them down afterwards,
/// also when `body` throws (a client dropped without `shutdown()` traps).
func withKubeClients<T>(kubeconfig: String, count: Int, _ body: ([KubeClient]) async throws -> T) async throws -> T {
    let clients = try (0..<count).map { _ in try KubeClient(kubeconfigPath: kubeconfig) }
    do {
        let result = try await body(clients)
        for client in clients { try await client.shutdown() }
        return result
    } catch {
        for client in clients { try await client.shutdown() }
        throw error
    }
}
