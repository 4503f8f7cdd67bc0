import FederationAPI
import Foundation

/// The datacenter table `concord status` and `concord up` print: the same columns as `kubectl get dc`.
enum DatacenterTable {
    /// Renders rows sorted by name, with kubectl's column spacing and ages.
    static func render(_ datacenters: [Datacenter], now: Date) -> String {
        var rows = [["NAME", "REGION", "ROLE", "PHASE", "LATENCY", "AGE"]]
        for dc in datacenters.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) {
            let s = dc.status
            rows.append([
                dc.metadata.name ?? "",
                dc.spec.region,
                s?.role?.rawValue ?? "",
                s?.phase?.rawValue ?? "Pending",
                s?.latencyMilliseconds.map { "\($0)ms" } ?? "",
                dc.metadata.creationTimestamp.map { HumanDuration.format(now.timeIntervalSince($0.date)) } ?? "",
            ])
        }
        return TextTable.render(rows)
    }
}

/// Left-aligned columns separated by three spaces, as kubectl prints them.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        guard let width = rows.map(\.count).max() else { return "" }
        var widths = Array(repeating: 0, count: width)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i] + 3, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n")
    }
}
