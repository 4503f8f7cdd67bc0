import ConcordTesting
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The server side of a kill-and-restart test: one data directory and port, one `concord server`
/// incarnation after another.
final class KillRun: @unchecked Sendable {
    // @unchecked Sendable: `server` is replaced only by `killRepeatedly`, which the test awaits before it
    // reads `server` again; no two tasks touch it at the same time.
    private var server: ServerProcess
    private let dataDir: URL
    private let port: Int

    init(dataDir: URL, port: Int) async throws {
        self.dataDir = dataDir
        self.port = port
        server = try await ServerProcess.start(dataDir: dataDir, port: port)
    }

    /// The kubeconfig every incarnation writes (same token, same port).
    var kubeconfig: String { server.kubeconfig }

    /// Kills the running incarnation (at the end of a test).
    func killServer() { server.process.signal(SIGKILL) }

    /// Kills the running incarnation and waits until it has exited, so its files can be removed.
    func stopServer() async {
        server.process.signal(SIGKILL)
        _ = await server.process.waitForExit(timeout: .seconds(10))
    }

    /// `kills` times: lets the writers run for a random 100–800 ms (and until this incarnation acknowledged
    /// at least one write, so every kill lands in sustained writing), marks the gate down, `kill -9`s the
    /// server, restarts it on the same data directory and port, and marks the gate up. Then one more
    /// random stretch of writing.
    /// Writes each server incarnation acknowledges before it is killed.
    static let writesPerIncarnation = 12

    func killRepeatedly(_ kills: Int, seed: UInt64, gate: ServerGate, ledger: WriteLedger) async throws {
        var schedule = SeededGenerator(seed: seed)
        let clock = ContinuousClock()
        for epoch in 0...kills {
            // The fault schedule: how long this incarnation lives.
            try await clock.sleep(for: .milliseconds(Int(100 + schedule.next(upperBound: UInt64(701)))))
            // Progress, not time, decides when to kill: every incarnation acknowledges a few writes first,
            // so the run means as much on a loaded machine as on a quiet one.
            guard await eventually(timeout: .seconds(30), every: .milliseconds(5), { ledger.acknowledgedCount(inEpoch: epoch) >= Self.writesPerIncarnation }) else {
                throw E2EError("fewer than \(Self.writesPerIncarnation) writes acknowledged in server incarnation \(epoch):\n\(server.process.log)")
            }
            if epoch == kills { return }
            await gate.markDown()
            server.process.signal(SIGKILL)
            guard await server.process.waitForExit(timeout: .seconds(10)) != nil else {
                throw E2EError("the killed server (pid \(server.process.pid)) did not exit")
            }
            server = try await ServerProcess.start(dataDir: dataDir, port: port, logName: "server-\(epoch + 1)")
            await gate.markUp()
        }
    }
}
