import Foundation
import KubeClient
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Locates the `concord` executable built next to the test bundle (or `CONCORD_BIN`).
func concordBinary() throws -> String {
    if let explicit = ProcessInfo.processInfo.environment["CONCORD_BIN"] { return explicit }
    let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    let candidate = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("concord").path
    guard FileManager.default.isExecutableFile(atPath: candidate) else {
        throw E2EError("concord binary not found at \(candidate); run `swift build` first (hack/test.sh does)")
    }
    return candidate
}

/// A failure in end-to-end test plumbing.
struct E2EError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The result of a finished command.
struct CommandResult: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
    var succeeded: Bool { status == 0 }
}

/// Runs a command to completion with a deadline, capturing output.
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)) async throws -> CommandResult {
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-out-\(UUID().uuidString)")
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-err-\(UUID().uuidString)")
    defer {
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
    let done = Latch()
    let pid = try ChildSpawn.spawn(
        executable: executable, arguments: arguments, environment: env,
        stdout: .appendingTo(outURL.path), stderr: .appendingTo(errURL.path)) { done.open($0.status) }
    let status = try await withThrowingTaskGroup(of: Int32?.self) { group in
        group.addTask { await done.wait() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        return first
    }
    guard let status else {
        kill(pid, SIGKILL)
        throw E2EError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout)")
    }
    let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
    return CommandResult(status: status, stdout: stdout, stderr: stderr)
}

/// A long-running child process (a `concord` server or `concord up`), killed when the test ends; a
/// `concord` child also exits by itself when the test process is gone.
final class Background: Sendable {
    let pid: Int32
    let logPath: String
    private let exited: Latch

    init(_ executable: String, _ arguments: [String], logPath: String, environment: [String: String] = [:]) throws {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw E2EError("cannot create the log file \(logPath)") }
        let latch = Latch()
        // `concord` follows the lifeline: a test run that dies (a crash, a kill) takes its servers with it.
        self.pid = try ChildSpawn.spawn(
            executable: executable, arguments: arguments, environment: env,
            stdout: .appendingTo(logPath), stderr: .appendingTo(logPath), lifeline: Lifeline.process) { latch.open($0.status) }
        self.logPath = logPath
        self.exited = latch
    }

    /// The exit status once the process has ended, else nil.
    var exitStatus: Int32? { exited.value }

    /// The process's output so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends a signal.
    func signal(_ sig: Int32) { kill(pid, sig) }

    /// Waits for exit up to `timeout`; returns the status or nil.
    func waitForExit(timeout: Duration) async -> Int32? {
        await withTaskGroup(of: Int32?.self) { group in
            group.addTask { await self.exited.wait() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// SIGTERM, then SIGKILL after `grace`.
    func stop(grace: Duration = .seconds(10)) async {
        guard exitStatus == nil else { return }
        signal(SIGTERM)
        if await waitForExit(timeout: grace) == nil {
            signal(SIGKILL)
            _ = await waitForExit(timeout: .seconds(5))
        }
    }
}

/// A one-shot value that async waiters can await.
final class Latch: Sendable {
    private let state = Mutex<(value: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

    var value: Int32? { state.withLock { $0.value } }

    func open(_ v: Int32) {
        let waiters = state.withLock { s -> [CheckedContinuation<Int32, Never>] in
            s.value = v
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume(returning: v) }
    }

    func wait() async -> Int32 {
        await withCheckedContinuation { c in
            let ready = state.withLock { s -> Int32? in
                if let v = s.value { return v }
                s.waiters.append(c)
                return nil
            }
            if let ready { c.resume(returning: ready) }
        }
    }
}

/// True when a process with that pid exists.
/// Whether `pid` is still running. A process that has exited but not been reaped yet (a zombie)
/// is not: once `concord up` is gone its orphans are reaped by PID 1, which in a container may take
/// a second or more after they have already exited.
func processIsAlive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    // /proc/PID/stat is "PID (comm) STATE …"; comm may hold spaces or parentheses, so read after the last ")".
    let stat: String
    do {
        stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
    } catch {
        // Reaped since the check above (or no /proc): the signal check says which.
        return kill(pid, 0) == 0
    }
    guard let close = stat.lastIndex(of: ")") else { return true }
    let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
    return state != "Z" && state != "X"
}

/// A fresh temporary directory, removed by the caller.
func makeTempDirectory(_ prefix: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
