import Foundation
import Synchronization

/// The measured steps of a demo run, shared by the scenario and the command that prints them.
final class DemoResults: Sendable {
    /// One row of the table.
    struct Row: Sendable {
        var step: String
        var seconds: Double?
        var measured: String
    }

    private let rows = Mutex<[Row]>([])
    private let clock = ContinuousClock()
    /// When the run started, and when the last step ended.
    private let started: ContinuousClock.Instant
    private let ended: Mutex<ContinuousClock.Instant?> = Mutex(nil)

    /// Starts the run's clock.
    init() { started = clock.now }

    /// Records a step; nil seconds means it failed.
    func record(_ row: Row) {
        rows.withLock { $0.append(row) }
        ended.withLock { $0 = clock.now }
    }

    /// Steps completed.
    var completed: Int { rows.withLock { $0.filter { $0.seconds != nil }.count } }

    /// The timing table: step, seconds (or FAILED), and where the time was measured; the total is
    /// the run's wall time (steps timed from the kill overlap, so their sum would count twice).
    func table() -> String {
        let all = rows.withLock { $0 }
        var lines = [["STEP", "SECONDS", "MEASURED"]]
        for row in all { lines.append([row.step, row.seconds.map { String(format: "%.1f", $0) } ?? "FAILED", row.measured]) }
        let total = DemoRun.seconds((ended.withLock { $0 } ?? started) - started)
        lines.append(["total", String(format: "%.1f", total), "wall time from the demo's start to its last step"])
        return TextTable.render(lines)
    }
}
