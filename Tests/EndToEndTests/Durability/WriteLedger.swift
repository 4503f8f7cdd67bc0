import Synchronization

/// A write the server acknowledged (answered 2xx): the object's name, the resourceVersion the answer
/// carried, the `data.seq` it wrote and the server incarnation that acknowledged it.
struct AcknowledgedWrite: Sendable, Hashable {
    var name: String
    var revision: Int64
    var seq: Int
    var epoch: Int
}

/// Everything the writers of a kill-and-restart test saw, shared between their tasks.
final class WriteLedger: Sendable {
    private struct State {
        var acknowledged: [AcknowledgedWrite] = []
        var killedRequests = 0
        var unexpectedFailures: [String] = []
        var stopped = false
    }

    private let state = Mutex(State())

    /// Records an acknowledged write.
    func acknowledge(_ write: AcknowledgedWrite) { state.withLock { $0.acknowledged.append(write) } }

    /// Records a request that failed; `explainedByKill` says whether a kill was under way.
    func failed(_ description: String, explainedByKill: Bool) {
        state.withLock { state in
            if explainedByKill { state.killedRequests += 1 } else { state.unexpectedFailures.append(description) }
        }
    }

    /// Tells the writers to finish their current request and stop.
    func stop() { state.withLock { $0.stopped = true } }

    /// True once `stop()` was called.
    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Acknowledged writes so far, in the order they were acknowledged.
    var acknowledged: [AcknowledgedWrite] { state.withLock { $0.acknowledged } }

    /// The number of acknowledged writes in server incarnation `epoch`.
    func acknowledgedCount(inEpoch epoch: Int) -> Int { state.withLock { $0.acknowledged.count { $0.epoch == epoch } } }

    /// Requests that failed while a kill was under way (their outcome is unknown).
    var killedRequests: Int { state.withLock { $0.killedRequests } }

    /// Requests that failed while the server was up: each one is a bug.
    var unexpectedFailures: [String] { state.withLock { $0.unexpectedFailures } }
}
