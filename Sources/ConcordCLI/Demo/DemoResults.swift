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

    /// Records a step; nil seconds means it failed.
    func record(_ row: Row) { rows.withLock { $0.append(row) } }

    /// Steps completed.
    var completed: Int { rows.withLock { $0.filter { $0.seconds != nil }.count } }

    /// The timing table: step, seconds (or FAILED), and where the time was measured.
    func table() -> String {
        let all = rows.withLock { $0 }
        var lines = [["STEP", "SECONDS", "MEASURED"]]
        for row in all { lines.append([row.step, row.seconds.map { String(format: "%.1f", $0) } ?? "FAILED", row.measured]) }
        let total = all.compactMap(\.seconds).reduce(0, +)
        lines.append(["total", String(format: "%.1f", total), "sum of the steps"])
        return TextTable.render(lines)
    }
}
