import ControlPlane
import Foundation
import Logging

/// A control plane running in-process for a test: an ephemeral port on 127.0.0.1 and a temporary data directory.
public struct TestControlPlane: Sendable {
    /// `http://127.0.0.1:<port>`, or `https://…` when the configuration serves TLS.
    public let baseURL: URL
    /// The bound port.
    public let port: Int
    /// The bearer token to send (`Authorization: Bearer <token>`).
    public let token: String
    /// The kubeconfig the server wrote (cluster, token, context).
    public let kubeconfigPath: String
    /// The data directory (removed when the control plane stops).
    public let dataDirectory: String
    /// The running server.
    public let server: ControlPlaneServer
    /// The server's object store, for writes that bypass the API (`plantUnvalidated`).
    let storage: CapturedStore
}

/// Starts a `ControlPlaneServer` on an ephemeral loopback port with a fresh temporary data directory, runs
/// `body`, then stops the server and removes the directory, whatever `body` does.
///
/// ```swift
/// try await withTestControlPlane { plane in
///     // talk to plane.baseURL with "Authorization: Bearer \(plane.token)"
/// }
/// ```
/// - Parameter configure: adjusts the configuration (clock, bookmark interval, store, data directory) before start.
///   A data directory set here is kept afterwards, so a test can restart a control plane on the same data.
/// - Parameter storage: the object store backend (SQLite by default; `.etcd` uses the process's shared test etcd).
/// - Parameter ownEtcd: for a test that reads store-wide revisions, compacts, or writes so much that it would
///   slow every test sharing the process's etcd: on etcd the control plane gets an etcd of its own (other tests'
///   writes move the shared one's revision, and compaction is cluster-wide), its garbage collector leads before
///   `body` runs and renews its Lease only every minute, so no write but the test's moves the revision while it
///   runs. SQLite stores are the test's own already.
public func withTestControlPlane<T: Sendable>(
    storage backend: TestStorage = .sqlite,
    ownEtcd: Bool = false,
    configure: (inout ControlPlaneConfiguration) -> Void = { _ in },
    _ body: (TestControlPlane) async throws -> T
) async throws -> T {
    let temporary = FileManager.default.temporaryDirectory.appendingPathComponent("concord-test-\(UUID().uuidString)").path
    var logger = Logger(label: "concord.test-control-plane")
    // CONCORD_TEST_LOG_LEVEL=debug shows what every test server does; `plane` tells the servers apart.
    logger.logLevel = ProcessInfo.processInfo.environment["CONCORD_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
    logger[metadataKey: "plane"] = "\(temporary.suffix(8))"
    var configuration = ControlPlaneConfiguration(dataDirectory: temporary, port: 0, logger: logger)
    let ownEtcd = backend == .etcd && ownEtcd ? try await LocalEtcd.start() : nil
    defer { ownEtcd?.stop() }
    if let ownEtcd {
        let settings = EtcdStorageConfiguration(endpoints: ownEtcd.clientURLs, prefix: "/concord-test", compactionInterval: .zero)
        configuration.makeStore = { _ in try await EtcdObjectStore(configuration: settings) }
        configuration.garbageCollectorElection.leaseDuration = .seconds(180)
        configuration.garbageCollectorElection.renewDeadline = .seconds(120)
        configuration.garbageCollectorElection.retryPeriod = .seconds(60)
    } else if backend == .etcd {
        configuration.makeStore = backend.makeStore()
    }
    configure(&configuration)
    let storage = CapturedStore()
    let open = configuration.makeStore ?? DefaultStore.open
    configuration.makeStore = { directory in
        let store = try await open(directory)
        storage.set(store)
        return store
    }
    let directory = configuration.dataDirectory
    let server = ControlPlaneServer(configuration: configuration)
    // Only the directory made here is removed; one passed in through `configure` is the caller's.
    defer { if directory == temporary { removeTemporaryDirectory(directory) } }
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await server.run() }
        let port = try await server.port()
        // On etcd the collector runs only while this server holds its Lease; the first campaign takes
        // seconds when every test of the process starts a server at once. A test of what the collector
        // does starts once it runs, so its own waits measure collection, not the campaign.
        if backend == .etcd {
            try await waitUntil("the garbage collector holding its Lease", timeout: .seconds(30)) { server.garbageCollector.isLeading }
        }
        let plane = TestControlPlane(
            baseURL: URL(string: "\(server.scheme)://127.0.0.1:\(port)")!, port: port, token: server.token ?? "",
            kubeconfigPath: server.kubeconfigPath, dataDirectory: directory, server: server, storage: storage)
        do {
            let result = try await body(plane)
            await server.stop()
            try await group.waitForAll()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}

/// Best-effort cleanup: a directory that cannot be removed is reported, not fatal.
private func removeTemporaryDirectory(_ path: String) {
    do {
        try FileManager.default.removeItem(atPath: path)
    } catch {
        FileHandle.standardError.write(Data("concord test: could not remove \(path): \(error)\n".utf8))
    }
}
