import FederationAPI
import Foundation
import KubeClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real `concord server` with thousands of objects and a thousand watchers: every watcher gets every
/// event of a burst, and memory grows little with objects (they live in SQLite) and per watcher.
@Suite(.serialized) struct ServerScaleTests {
    static let watchers = 1_000
    static let burst = 50
    static let objects = 1_500

    @Test func aThousandWatchersGetEveryEventAndMemoryStaysBounded() async throws {
        let dir = try makeTempDirectory("server-scale")
        defer { removeTestDirectory(dir) }
        let server = try await ServerProcess.start(dataDir: dir.appendingPathComponent("data"), port: try freePort())
        defer { server.process.signal(SIGKILL) }
        let token = try String(contentsOf: server.dataDir.appendingPathComponent("token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try await withKubeClients(kubeconfig: server.kubeconfig, count: 1) { clients in
            try await Self.measure(server, token: token, clients[0])
        }
        server.process.signal(SIGKILL)
        _ = await server.process.waitForExit(timeout: .seconds(10))
    }

    private static func measure(_ server: ServerProcess, token: String, _ client: KubeClient) async throws {
        let configMaps = client.dynamic(GroupVersionResource(group: "", version: "v1", resource: "configmaps"), namespaced: true, kind: "ConfigMap")
        let pid = server.process.pid
        let mib = { (bytes: Int) in String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

        let started = try residentBytes(of: pid)
        try await create(configMaps, prefix: "first", count: objects)
        let withFirst = try residentBytes(of: pid)
        try await create(configMaps, prefix: "second", count: objects)
        let withSecond = try residentBytes(of: pid)

        let revision = try await configMaps.list(namespace: "default", options: ListOptions(limit: 1)).resourceVersion
        var connections: [RawWatchConnection] = []
        for _ in 0..<watchers {
            let connection = try RawWatchConnection(
                port: server.port, path: "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=\(revision)", token: token)
            try connection.read { String(decoding: $0.prefix(12), as: UTF8.self) == "HTTP/1.1 200" }
            connections.append(connection)
        }
        let withWatchers = try residentBytes(of: pid)
        try await create(configMaps, prefix: "burst", count: burst)
        for connection in connections {
            try connection.read { _ in connection.occurrences(of: "\"ADDED\"") >= burst }
            #expect(connection.occurrences(of: "\"ADDED\"") == burst)
        }
        let afterBurst = try residentBytes(of: pid)

        let perObject = (withSecond - withFirst) / objects
        let perWatcher = (withWatchers - withSecond) / watchers
        print(
            """
            server RSS: \(mib(started)) at start, \(mib(withFirst)) with \(objects) ConfigMaps, \(mib(withSecond)) with \(2 * objects) \
            (\(perObject) bytes per further object), \(mib(withWatchers)) with \(watchers) idle watches \
            (\(perWatcher) bytes each), \(mib(afterBurst)) after a burst of \(burst) events to every watch
            """)
        // Objects live in SQLite: more 1 KiB objects must not cost their size in memory.
        #expect(perObject < 1_024, "each further object costs \(perObject) bytes of server memory")
        #expect(perWatcher < 100 * 1_024, "each idle watch costs \(perWatcher) bytes of server memory")
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
