import Foundation
import KubeClient
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway TLS endpoint for transport tests: a CA, a server certificate for `api.internal`
/// only (no IP SAN), a client certificate, and `openssl s_server -WWW` on an ephemeral loopback
/// port serving `/version`. The server exits by itself after `connections` connections; `stop()`
/// (also run on deinit) kills it. SIGKILL, because a test process may leave SIGTERM ignored
/// (dispatch signal sources do), and children inherit that.
final class TLSTestServer {
    let dir: TempDirectory
    let port: Int
    private let pid: Int32
    private let exited = ExitFlag()

    var caPEM: Data { FileManager.default.contents(atPath: dir.path + "/ca.crt") ?? Data() }
    var clientCertPEM: Data { FileManager.default.contents(atPath: dir.path + "/client.crt") ?? Data() }
    var clientKeyPEM: Data { FileManager.default.contents(atPath: dir.path + "/client.key") ?? Data() }

    init(requireClientCertificate: Bool = false, connections: Int = 4) async throws {
        dir = try TempDirectory()
        let d = dir.path
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try Self.run(["req", "-x509"] + ec + ["-keyout", "\(d)/ca.key", "-out", "\(d)/ca.crt", "-days", "1", "-subj", "/CN=concord-test-ca"])
        for (name, ext) in [("server", "subjectAltName=DNS:api.internal"), ("client", "extendedKeyUsage=clientAuth")] {
            try Self.run(["req"] + ec + ["-keyout", "\(d)/\(name).key", "-out", "\(d)/\(name).csr", "-subj", "/CN=\(name)"])
            try dir.write("\(name).ext", ext + "\n")
            try Self.run(["x509", "-req", "-in", "\(d)/\(name).csr", "-CA", "\(d)/ca.crt", "-CAkey", "\(d)/ca.key", "-CAcreateserial", "-out", "\(d)/\(name).crt", "-days", "1", "-extfile", "\(d)/\(name).ext"])
        }
        try dir.write("version", #"{"major":"1","minor":"32","gitVersion":"v1.32.0-tls"}"#)
        let log = d + "/server.log"
        guard FileManager.default.createFile(atPath: log, contents: nil) else {
            throw TLSServerError(message: "cannot create \(log)")
        }
        var args = ["s_server", "-accept", "127.0.0.1:0", "-cert", "\(d)/server.crt", "-key", "\(d)/server.key", "-WWW", "-naccept", "\(connections)"]
        if requireClientCertificate { args += ["-Verify", "1", "-CAfile", "\(d)/ca.crt"] }
        // s_server -WWW serves files from its working directory: start it there through the shell.
        let exited = self.exited
        pid = try ChildSpawn.spawn(
            executable: "/bin/sh", arguments: ["-c", "cd \"$0\" && exec /usr/bin/openssl \"$@\"", d] + args,
            environment: ProcessInfo.processInfo.environment, stdout: .appendingTo(log), stderr: .appendingTo(log)
        ) { _ in exited.set() }
        let deadline = ContinuousClock.now + .seconds(10)
        var found: Int?
        while found == nil {
            let text = String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT") }), let p = Int(line.split(separator: ":").last ?? "") {
                found = p
            } else if ContinuousClock.now > deadline {
                throw TLSServerError(message: "openssl s_server did not start: \(text)")
            } else {
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        port = found ?? 0
    }

    /// Stops the server if it is still running.
    func stop() {
        if !exited.isSet { kill(pid, SIGKILL) }
    }

    deinit { stop() }

    private static func run(_ args: [String]) throws {
        let done = DispatchSemaphore(value: 0)
        let failed = ExitFlag()
        _ = try ChildSpawn.spawn(executable: "/usr/bin/openssl", arguments: args, environment: ProcessInfo.processInfo.environment) { exit in
            if exit.status != 0 { failed.set() }
            done.signal()
        }
        done.wait()
        guard !failed.isSet else { throw TLSServerError(message: "openssl \(args.prefix(2).joined(separator: " ")) failed") }
    }
}

/// Set once the server process has exited.
private final class ExitFlag: Sendable {
    private let state = Mutex(false)
    var isSet: Bool { state.withLock { $0 } }
    func set() { state.withLock { $0 = true } }
}

struct TLSServerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
