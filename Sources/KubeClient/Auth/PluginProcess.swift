import Dispatch
import Foundation
import KubernetesAPI
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs a credential plugin (started with ``ChildSpawn``), off the caller's thread: the blocking
/// reads of its output happen on Dispatch workers, never on an event loop or the cooperative pool.
enum PluginProcess {
    /// Runs `command` and returns its standard output. Throws `KubeConfigError(.execPlugin)`
    /// naming the command when it cannot start, exits non-zero (with its standard error), or
    /// outlives `timeout` (then it is terminated).
    static func run(command: String, arguments: [String], environment: [String: String], timeout: Duration, installHint: String?) async throws -> Data {
        guard let executable = resolve(command, path: environment["PATH"]) else {
            let hint = installHint.map { "; \($0.trimmingCharacters(in: .whitespacesAndNewlines))" } ?? "; install it or fix users[].user.exec.command"
            throw KubeConfigError(.execPlugin, "exec plugin \(command) was not found\(hint)")
        }
        var outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard makePipe(&outPipe) else { throw KubeConfigError(.execPlugin, "exec plugin \(command): cannot create a pipe") }
        guard makePipe(&errPipe) else {
            close(outPipe[0]); close(outPipe[1])
            throw KubeConfigError(.execPlugin, "exec plugin \(command): cannot create a pipe")
        }
        let exit = PluginExit()
        let pid: pid_t
        do {
            pid = try ChildSpawn.spawn(
                executable: executable.path, arguments: arguments, environment: environment,
                stdout: .descriptor(outPipe[1]), stderr: .descriptor(errPipe[1])) { exit.finish($0) }
        } catch {
            for fd in outPipe + errPipe { close(fd) }
            throw KubeConfigError(.execPlugin, "exec plugin \(command) could not be started: \(error)")
        }
        close(outPipe[1])
        close(errPipe[1])
        let stdout = FileHandle(fileDescriptor: outPipe[0], closeOnDealloc: true)
        let stderr = FileHandle(fileDescriptor: errPipe[0], closeOnDealloc: true)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Data, any Error>) in
                DispatchQueue.global().async {
                    let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                    let timer = DispatchWorkItem { if exit.value == nil { kill(pid, SIGTERM) } }
                    DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: timer)
                    // Read standard error concurrently so neither pipe can fill up and block the plugin.
                    let errorData = LockedData()
                    let group = DispatchGroup()
                    group.enter()
                    DispatchQueue.global().async {
                        errorData.set(stderr.readDataToEndOfFile())
                        group.leave()
                    }
                    let out = stdout.readDataToEndOfFile()
                    group.wait()
                    let ended = exit.waitBlocking()
                    timer.cancel()
                    switch ended {
                    case .signaled(let signal):
                        continuation.resume(throwing: KubeConfigError(.execPlugin, "exec plugin \(command) was killed by signal \(signal) (a run may take at most \(timeout))"))
                    case .exited(let code) where code != 0:
                        let detail = String(decoding: errorData.value.prefix(400), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                        continuation.resume(throwing: KubeConfigError(.execPlugin, "exec plugin \(command) exited with status \(code)\(detail.isEmpty ? "" : ": \(detail)")"))
                    case .exited:
                        continuation.resume(returning: out)
                    }
                }
            }
        } onCancel: {
            if exit.value == nil { kill(pid, SIGTERM) }
        }
    }

    /// A pipe whose ends are closed on exec (children get only what ``ChildSpawn`` duplicates).
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
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

/// The plugin's exit, set once from the spawner's waiter thread; a Dispatch worker blocks on it.
private final class PluginExit: Sendable {
    private let state = Mutex<ChildExit?>(nil)
    private let done = DispatchSemaphore(value: 0)
    var value: ChildExit? { state.withLock { $0 } }
    func finish(_ exit: ChildExit) {
        state.withLock { $0 = exit }
        done.signal()
    }
    /// Blocks the calling (Dispatch) thread until the plugin has exited.
    func waitBlocking() -> ChildExit {
        done.wait()
        return value ?? .exited(-1)
    }
}
