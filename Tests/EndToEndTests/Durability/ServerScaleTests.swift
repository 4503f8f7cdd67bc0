import FederationAPI
import Foundation
import KubeClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real `concord server` with thousands of objects and a thousand watchers: every watcher gets every
/// event of a burst. (Memory per object and per idle watch is measured by hack/bench/run.sh.)
@Suite(.serialized) struct ServerScaleTests {
    static let watchers = 1_000
    static let burst = 50
    static let objects = 1_500

    @Test func aThousandWatchersGetEveryEventOfABurst() async throws {
        let dir = try makeTempDirectory("server-scale")
        defer { removeTestDirectory(dir) }
        let server = try await ServerProcess.start(dataDir: dir.appendingPathComponent("data"), extraArguments: ["--insecure-plain-http"])
        defer { server.process.signal(SIGKILL) }
        let token = try String(contentsOf: server.dataDir.appendingPathComponent("token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try await withKubeClients(kubeconfig: server.kubeconfig, count: 1) { clients in
            try await Self.watchBurst(server, token: token, clients[0])
        }
        server.process.signal(SIGKILL)
        _ = await server.process.waitForExit(timeout: .seconds(10))
    }

    private static func watchBurst(_ server: ServerProcess, token: String, _ client: KubeClient) async throws {
        let configMaps = client.dynamic(GroupVersionResource(group: "", version: "v1", resource: "configmaps"), namespaced: true, kind: "ConfigMap")
        try await create(configMaps, prefix: "first", count: objects)
        let revision = try await configMaps.list(namespace: "default", options: ListOptions(limit: 1)).resourceVersion
        var connections: [RawWatchConnection] = []
        for _ in 0..<watchers {
            let connection = try RawWatchConnection(
                port: server.port, path: "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(revision)", token: token)
            try connection.read { String(decoding: $0.prefix(12), as: UTF8.self) == "HTTP/1.1 200" }
            connections.append(connection)
        }
        try await create(configMaps, prefix: "burst", count: burst)
        for connection in connections {
            try connection.read { _ in connection.occurrences(of: "\"ADDED\"") >= burst }
            #expect(connection.occurrences(of: "\"ADDED\"") == burst)
        }
        withExtendedLifetime(connections) {}
    }

    /// Creates `count` 1 KiB ConfigMaps, 8 requests at a time (the client pool's connection limit).
    static func create(_ configMaps: DynamicResourceClient, prefix: String, count: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<count {
                if index >= 8 { try await group.next() }
                group.addTask {
                    _ = try await configMaps.create(
                        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("\(prefix)-\(index)")],
                         "data": ["value": .string(String(repeating: "x", count: 1024))]],
                        namespace: "default")
                }
            }
            try await group.waitForAll()
        }
    }
}
