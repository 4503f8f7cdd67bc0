import Foundation

/// A throwaway TLS endpoint for transport tests: a CA, a server certificate for `api.internal`
/// only (no IP SAN), a client certificate, and `openssl s_server -WWW` on an ephemeral loopback
/// port serving `/version`. The server exits by itself after `connections` connections; `stop()`
/// (also run on deinit) kills it. SIGKILL, because a test process may leave SIGTERM ignored
/// (dispatch signal sources do), and children inherit that.
final class TLSTestServer {
    let dir: TempDirectory
    let port: Int
    private let process: Process

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
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: d)
        p.standardOutput = FileHandle(forWritingAtPath: log)
        p.standardError = FileHandle(forWritingAtPath: log)
        try p.run()
        process = p
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
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    private static func run(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw TLSServerError(message: "openssl \(args.prefix(2).joined(separator: " ")) failed") }
    }
}

struct TLSServerError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
