import FederationAPI
import FederationCore
import Foundation

/// Probe results waiting to be folded into a Datacenter's status, and the status computed so far.
///
/// Probers append; the reconciler drains every pending result in order, so no probe is lost when
/// the work queue collapses several wake-ups into one reconcile, and each probe is counted once.
/// The computed status lives here between writes because status is written on change, not on
/// every probe; after a restart or a change of leader the status read from the API server seeds it.
actor ProbeLedger {
    /// One probe outcome and when it finished.
    struct Observation: Sendable, Equatable {
        var result: ProbeResult
        var at: Date
    }

    private struct Entry {
        var pending: [Observation] = []
        var computed: DatacenterStatus?
        var dropped = 0
    }

    private var entries: [String: Entry] = [:]
    private let capacity: Int

    /// Keeps at most `capacity` unconsumed observations per datacenter (the oldest are dropped).
    init(capacity: Int = 64) { self.capacity = capacity }

    /// Records a finished probe.
    func record(_ name: String, _ result: ProbeResult, at: Date) {
        var e = entries[name] ?? Entry()
        e.pending.append(Observation(result: result, at: at))
        if e.pending.count > capacity {
            e.pending.removeFirst(e.pending.count - capacity)
            e.dropped += 1
        }
        entries[name] = e
    }

    /// Takes every pending observation, oldest first, with the status computed so far.
    func drain(_ name: String) -> (observations: [Observation], computed: DatacenterStatus?) {
        guard var e = entries[name] else { return ([], nil) }
        let taken = e.pending
        e.pending = []
        entries[name] = e
        return (taken, e.computed)
    }

    /// Stores the status computed from the observations just drained.
    func setComputed(_ name: String, _ status: DatacenterStatus) {
        var e = entries[name] ?? Entry()
        e.computed = status
        entries[name] = e
    }

    /// Forgets a datacenter entirely (deleted, or its probing restarted from scratch).
    func forget(_ name: String) { entries[name] = nil }
}
