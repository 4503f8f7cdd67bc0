import Foundation

/// The real kubectl, pointed at one kubeconfig with its own discovery cache.
struct Kubectl: Sendable {
    let kubeconfig: String
    let cacheDir: String

    init(kubeconfig: String) throws {
        self.kubeconfig = kubeconfig
        self.cacheDir = try makeTempDirectory("kubectl-cache").path
    }

    /// A kubectl sharing another's discovery cache (as a second kubeconfig for the same server does).
    init(kubeconfig: String, cacheDir: String) {
        self.kubeconfig = kubeconfig
        self.cacheDir = cacheDir
    }

    /// Runs `kubectl args…`.
    func callAsFunction(_ args: String..., stdin: String? = nil, timeout: Duration = .seconds(60)) async throws -> CommandResult {
        try await run(args, stdin: stdin, timeout: timeout)
    }

    /// Runs `kubectl args…` with an argument array.
    func run(_ args: [String], stdin: String? = nil, timeout: Duration = .seconds(60)) async throws -> CommandResult {
        var full = ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir]
        if let stdin {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("manifest-\(UUID().uuidString).yaml")
            try stdin.write(to: file, atomically: true, encoding: .utf8)
            full += args.map { $0 == "-" ? file.path : $0 }
        } else {
            full += args
        }
        return try await EndToEndTests.run(Kubectl.path, full, timeout: timeout)
    }

    /// The kubectl on PATH.
    static let path: String = {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(dir)/kubectl"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return "/usr/bin/kubectl"
    }()
}
