import Foundation
import KubernetesAPI
import Synchronization

/// What one server knows of its campaign: the election state, the clock it measures observed time on, and
/// the holder it last reported.
struct Campaign {
    var state: LeaseElectionState
    let elapsed: ElapsedTime
    var lastHolder: String?
}

/// Time since creation on an injected clock, as a `Duration` (the election measures observed time with it).
struct ElapsedTime: Sendable {
    private let read: @Sendable () -> Duration

    init(_ clock: any Clock<Duration>) {
        read = Self.reader(clock)
    }

    private static func reader<C: Clock>(_ clock: C) -> @Sendable () -> Duration where C.Duration == Duration {
        let start = clock.now
        return { start.duration(to: clock.now) }
    }

    /// The time since creation.
    var now: Duration { read() }
}

/// A flag raised once, read from another task.
final class OnceFlag: Sendable {
    private let value = Mutex(false)
    /// Raises the flag.
    func raise() { value.withLock { $0 = true } }
    /// Whether the flag was raised.
    var isRaised: Bool { value.withLock { $0 } }
}

/// Whether this server holds an election's lease, and who does as far as it knows: read by tests and logs.
public final class LeaseElectionStatus: Sendable {
    private let state = Mutex<(leading: Bool, holder: String?, acquisitions: Int)>((false, nil, 0))

    /// Creates a status of a server that has not campaigned yet.
    public init() {}

    /// True while this server holds the lease and runs the controller.
    public var isLeading: Bool { state.withLock { $0.leading } }
    /// The holder last seen ("" when the lease was handed back; nil before the first read, after this server
    /// lost the lease, and on a server collecting without an election).
    public var holder: String? { state.withLock { $0.holder } }
    /// How many times this server acquired the lease.
    public var acquisitions: Int { state.withLock { $0.acquisitions } }

    func changed(leading: Bool, holder: String?) {
        state.withLock { s in
            if leading && !s.leading { s.acquisitions += 1 }
            s.leading = leading
            s.holder = holder
        }
    }
}
