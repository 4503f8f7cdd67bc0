import ConcordTesting
import Foundation

/// Paths inside the repository, for manifests the tests apply.
enum Repo {
    /// The repository root (three levels above this file).
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// `crds/`.
    static var crds: String { root.appendingPathComponent("crds").path }
}

/// A `concord server` child process on a data directory.
struct ServerProcess {
    let process: Background
    let dataDir: URL
    let port: Int
    var kubeconfig: String { dataDir.appendingPathComponent("kubeconfig").path }

    /// Starts `concord server` on a free loopback port. A port is found free and bound by the server a
    /// moment later, and in between another process may take it: a server that exited because its port
    /// was in use is started again on a fresh port (at most three times).
    static func start(dataDir: URL, logName: String = "server", extraArguments: [String] = []) async throws -> ServerProcess {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await start(dataDir: dataDir, port: try freePort(), logName: logName, extraArguments: extraArguments)
            } catch let error as E2EError where attempt < 3 && error.description.contains("Address already in use") {
                continue
            }
        }
    }

    /// Starts `concord server --data-dir DIR --port P [extra…]` and waits until its kubeconfig exists and `/readyz`
    /// answers through kubectl.
    static func start(dataDir: URL, port: Int, logName: String = "server", extraArguments: [String] = []) async throws -> ServerProcess {
        let bin = try concordBinary()
        try FileManager.default.createDirectory(at: dataDir, withIntermediateDirectories: true)
        let log = dataDir.deletingLastPathComponent().appendingPathComponent("\(logName)-\(UUID().uuidString.prefix(6)).log").path
        let bg = try Background(bin, ["server", "--data-dir", dataDir.path, "--port", String(port)] + extraArguments, logPath: log)
        let server = ServerProcess(process: bg, dataDir: dataDir, port: port)
        let ready = try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            guard bg.exitStatus == nil else { throw E2EError("concord server exited early:\n\(bg.log)") }
            guard FileManager.default.fileExists(atPath: server.kubeconfig) else { return false }
            let k = try Kubectl(kubeconfig: server.kubeconfig)
            return try await k("get", "--raw", "/readyz", timeout: .seconds(10)).succeeded
        }
        guard ready else { throw E2EError("concord server did not become ready:\n\(bg.log)") }
        return server
    }
}
