import Foundation
import KubeClient
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A `concord` child process started by `concord up`, with its output in a log file.
///
/// Started with ``ChildSpawn`` (not Foundation's `Process`, see there) on this process's ``Lifeline``,
/// so it stops when `concord up` is gone, even after `kill -9`; termination is surfaced as an async
/// `exitStatus()`.
final class ChildProcess: Sendable {
    /// A short name for messages: `hub`, `us-east`, `controller`.
    let name: String
    /// The operating-system process id.
    let pid: Int32
    /// Where its stdout and stderr go.
    let logPath: String
    /// A control plane (others, such as the controller and agents, are its clients).
    let servesAPI: Bool
    private let exit: ExitLatch

    private init(name: String, pid: Int32, logPath: String, servesAPI: Bool, exit: ExitLatch) {
        self.name = name
        self.pid = pid
        self.logPath = logPath
        self.servesAPI = servesAPI
        self.exit = exit
    }

    /// Starts `executable arguments…` with stdout and stderr appended to `logPath`.
    static func start(name: String, executable: String, servesAPI: Bool = false, arguments: [String], logPath: String) throws -> ChildProcess {
        guard FileManager.default.createFile(atPath: logPath, contents: nil) || FileManager.default.fileExists(atPath: logPath) else {
            throw UpError("cannot open log file \(logPath)")
        }
        guard let lifeline = Lifeline.process else { throw UpError("cannot open a pipe to tie \(name) to concord up's lifetime") }
        let latch = ExitLatch()
        let pid = try ChildSpawn.spawn(
            executable: executable, arguments: arguments, environment: ProcessInfo.processInfo.environment,
            stdout: .appendingTo(logPath), stderr: .appendingTo(logPath), lifeline: lifeline
        ) { exit in latch.finish(exit.status) }
        return ChildProcess(name: name, pid: pid, logPath: logPath, servesAPI: servesAPI, exit: latch)
    }

    /// True until the process has exited.
    var isRunning: Bool { exit.status == nil }

    /// Waits for the process to exit and returns its status.
    func exitStatus() async -> Int32 { await exit.wait() }

    /// Sends SIGTERM, waits up to `grace`, then SIGKILL.
    func stop(grace: Duration = .seconds(10)) async {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let exited = await withTaskGroup(of: Bool.self) { group in
            group.addTask { _ = await self.exitStatus(); return true }
            group.addTask {
                try? await Task.sleep(for: grace)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !exited {
            kill(pid, SIGKILL)
            _ = await exitStatus()
        }
    }
}

/// A one-shot latch that records an exit status and wakes every waiter.
private final class ExitLatch: Sendable {
    private let state = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

    var status: Int32? { state.withLock { $0.status } }

    func finish(_ status: Int32) {
        let waiters = state.withLock { s -> [CheckedContinuation<Int32, Never>] in
            s.status = status
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume(returning: status) }
    }

    func wait() async -> Int32 {
        await withCheckedContinuation { c in
            let done = state.withLock { s -> Int32? in
                if let st = s.status { return st }
                s.waiters.append(c)
                return nil
            }
            if let done { c.resume(returning: done) }
        }
    }
}
