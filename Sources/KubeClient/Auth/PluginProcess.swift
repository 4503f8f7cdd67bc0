import Dispatch
import FederationAPI
import Foundation
import Synchronization

/// Runs a credential plugin with Foundation's `Process`, off the caller's thread: the blocking
/// reads of its output happen on a Dispatch worker, never on an event loop or the cooperative pool.
enum PluginProcess {
    /// Runs `command` and returns its standard output. Throws `KubeConfigError(.execPlugin)`
    /// naming the command when it cannot start, exits non-zero (with its standard error), or
    /// outlives `timeout` (then it is terminated).
    static func run(command: String, arguments: [String], environment: [String: String], timeout: Duration, installHint: String?) async throws -> Data {
        let process = Process()
        guard let executable = resolve(command, path: environment["PATH"]) else {
            let hint = installHint.map { "; \($0.trimmingCharacters(in: .whitespacesAndNewlines))" } ?? "; install it or fix users[].user.exec.command"
            throw KubeConfigError(.execPlugin, "exec plugin \(command) was not found\(hint)")
        }
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
                DispatchQueue.global().async {
                    do {
                        try process.run()
                    } catch {
                        continuation.resume(throwing: KubeConfigError(.execPlugin, "exec plugin \(command) could not be started: \(error.localizedDescription)"))
                        return
                    }
                    let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                    let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
                    DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: timer)
                    // Read standard error concurrently so neither pipe can fill up and block the plugin.
                    let errorData = LockedData()
                    let group = DispatchGroup()
                    group.enter()
                    DispatchQueue.global().async {
                        errorData.set(stderr.fileHandleForReading.readDataToEndOfFile())
                        group.leave()
                    }
                    let out = stdout.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    group.wait()
                    timer.cancel()
                    if process.terminationReason == .uncaughtSignal {
                        continuation.resume(throwing: KubeConfigError(.execPlugin, "exec plugin \(command) was killed by signal \(process.terminationStatus) (a run may take at most \(timeout))"))
                    } else if process.terminationStatus != 0 {
                        let detail = String(decoding: errorData.value.prefix(400), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                        continuation.resume(throwing: KubeConfigError(.execPlugin, "exec plugin \(command) exited with status \(process.terminationStatus)\(detail.isEmpty ? "" : ": \(detail)")"))
                    } else {
                        continuation.resume(returning: out)
                    }
                }
            }
        } onCancel: {
            if process.isRunning { process.terminate() }
        }
    }

    /// The executable for `command`: a path as given, or the first match on `PATH`.
    static func resolve(_ command: String, path: String?) -> URL? {
        let fm = FileManager.default
        if command.contains("/") {
            return fm.isExecutableFile(atPath: command) ? URL(fileURLWithPath: command) : nil
        }
        for dir in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent(command)
            if fm.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}

/// Bytes handed from one Dispatch worker to another.
private final class LockedData: Sendable {
    private let data = Mutex(Data())
    func set(_ d: Data) { data.withLock { $0 = d } }
    var value: Data { data.withLock { $0 } }
}
