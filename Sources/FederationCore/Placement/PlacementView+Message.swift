extension PlacementView {
    /// An ActiveActive status message, written from the pass's view: formatted only when it
    /// differs from the message already written.
    enum Message {
        /// The division as one line, such as `eu-central=3,us-east=6,us-west=3` (the datacenters
        /// with replicas, in name order): the last pass's (`planned`) or this one's.
        case placement(planned: Bool)
        /// `N of M replicas ready across D datacenters`.
        case readyAcross(ready: Int, total: Int, datacenters: Int)
        /// `the division is …` (the condition's reason already says ActiveActive).
        case division
        /// `placed …`.
        case placed
        /// `moving to …`.
        case moving
        /// `N of M replicas ready: …`.
        case readyPlaced(ready: Int, total: Int)
        /// Replicas no candidate had room for.
        case noRoom(unplaced: Int, total: Int)
        /// Fewer datacenters placed than `minDatacenters`: no other selected one can take replicas.
        case spreadShort(minDatacenters: Int)
        /// Placed datacenters Unreachable but not lost yet, and when their share moves.
        case awaitingLoss(unhealthyForSeconds: Int)
        /// A fixed text.
        case fixed(StaticString)
    }

    /// The text of `message`; `described` is this pass's division described when it is already
    /// (then copied rather than written again).
    func text(_ message: Message, described: String? = nil) -> String {
        var length = TextLength()
        write(message, described: described, to: &length)
        return String(unsafeUninitializedCapacity: length.count) { buffer in
            var writer = TextWriter(buffer)
            write(message, described: described, to: &writer)
            return writer.count
        }
    }

    /// Whether `existing` is exactly the text of `message`, byte for byte (false for a string whose
    /// bytes cannot be read in place, which is then formatted and compared as a `String`).
    func isText(_ message: Message, described: String?, of existing: String) -> Bool {
        existing.utf8.withContiguousStorageIfAvailable { bytes in
            var match = TextMatch(bytes)
            write(message, described: described, to: &match)
            return match.matches
        } ?? false
    }

    private func write<Sink: TextSink>(_ message: Message, described: String?, to sink: inout Sink) {
        switch message {
        case .placement(let planned):
            writePlacement(planned: planned, described: described, to: &sink)
        case let .readyAcross(ready, total, datacenters):
            writeFraction(ready, of: total, to: &sink)
            sink.write(" replicas ready across ")
            sink.write(datacenters)
            sink.write(" datacenters")
        case .division:
            sink.write("the division is ")
            writePlacement(planned: false, described: described, orNone: true, to: &sink)
        case .placed:
            sink.write("placed ")
            writePlacement(planned: false, described: described, orNone: true, to: &sink)
        case .moving:
            sink.write("moving to ")
            writePlacement(planned: false, described: described, orNone: true, to: &sink)
        case let .readyPlaced(ready, total):
            writeFraction(ready, of: total, to: &sink)
            sink.write(" replicas ready: ")
            writePlacement(planned: false, described: described, orNone: true, to: &sink)
            writeAwaitingRebalance(to: &sink)
        case let .noRoom(unplaced, total):
            writeFraction(unplaced, of: total, to: &sink)
            sink.write(" replicas have no room in any candidate datacenter (capacity or maxReplicasPerDatacenter)")
            writeAwaitingRebalance(to: &sink)
        case .spreadShort(let minimum):
            sink.write("placed in ")
            sink.write(entries.reduce(0) { $0 + ($1.target > 0 ? 1 : 0) })
            sink.write(" datacenters, fewer than minDatacenters ")
            sink.write(minimum)
            sink.write(": no other selected datacenter can take replicas now (cordoned, lost, not Ready, weighted 0, or without room)")
            writeAwaitingRebalance(to: &sink)
        case .awaitingLoss(let seconds):
            var first = true
            for (i, entry) in entries.enumerated() where entry.target > 0 && !entry.reachable && !entry.lost && entry.site != nil {
                if !first { sink.write(", ") }
                first = false
                sink.write(names[i])
            }
            sink.write(" Unreachable: its share moves to the others once it has been for unhealthyForSeconds (")
            sink.write(seconds)
            sink.write(" s); until then it keeps its share and its route")
        case .fixed(let text):
            sink.write(text)
        }
    }

    /// `; us-west back, waiting for a rebalance (failback: Manual: concord service rebalance)` when
    /// some datacenter is left out until a person asks; nothing otherwise.
    private func writeAwaitingRebalance<Sink: TextSink>(to sink: inout Sink) {
        guard awaitingRebalance else { return }
        var first = true
        for (i, entry) in entries.enumerated() where entry.awaitsRebalance {
            sink.write(first ? "; " : ", ")
            first = false
            sink.write(names[i])
        }
        if !first { sink.write(" back, waiting for a rebalance (failback: Manual: concord service rebalance)") }
    }

    /// `N of M`.
    private func writeFraction<Sink: TextSink>(_ part: Int, of whole: Int, to sink: inout Sink) {
        sink.write(part)
        sink.write(" of ")
        sink.write(whole)
    }

    /// Writes the division (see ``Message/placement(planned:)``); with `orNone`, an empty one (a
    /// service scaled to 0, or placed nowhere) as `none` rather than nothing.
    private func writePlacement<Sink: TextSink>(planned: Bool, described: String?, orNone: Bool = false, to sink: inout Sink) {
        if !planned, let described {
            sink.write(described.isEmpty && orNone ? "none" : described)
            return
        }
        if orNone, !entries.indices.contains(where: { (planned ? entries[$0].planned : entries[$0].target) > 0 }) {
            sink.write("none")
            return
        }
        var first = true
        for (i, entry) in entries.enumerated() {
            let replicas = planned ? entry.planned : entry.target
            guard replicas > 0 else { continue }
            if sink.stopped { return }
            if !first { sink.write(",") }
            first = false
            sink.write(names[i])
            sink.write("=")
            sink.write(replicas)
        }
    }
}
