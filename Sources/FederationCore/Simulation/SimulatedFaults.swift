import Foundation

/// The kinds of fault a schedule injects.
public enum FaultKind: String, CaseIterable, Hashable, Sendable, Comparable {
    /// A member crashes (probes, reads and writes fail) and restarts later with its marker intact.
    case crash = "crash"
    /// The link between the hub and one member is cut; the member keeps running (and acting).
    case partition = "partition"
    /// The hub is cut from a majority of the members at once.
    case majorityPartition = "majority-partition"
    /// Messages to and from a member take longer; beyond the 1 s timeout probes and reads fail
    /// and writes arrive late (they may still apply, guarded by optimistic concurrency).
    case delay = "delay"
    /// Messages to and from a member are lost with a probability (requests or responses).
    case loss = "loss"
    /// The hub's clock jumps forwards or backwards.
    case clockStep = "clock-step"

    /// Orders kinds as declared.
    public static func < (a: FaultKind, b: FaultKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What a person does during a schedule.
public enum OperationKind: String, CaseIterable, Hashable, Sendable, Comparable {
    /// spec.primary is set to another member (a planned promotion).
    case plannedPromotion = "planned-promotion"
    /// The failback annotation is set to the hub's current time.
    case failbackRequest = "failback-request"

    /// Orders kinds as declared.
    public static func < (a: OperationKind, b: OperationKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// A fault in force over a range of steps.
struct ActiveFault: Hashable, Sendable {
    var kind: FaultKind
    var members: [Int]
    /// The first step the fault is no longer in force.
    var until: Int
    var lossProbability = 0.0
    var delayMilliseconds = 0
}

/// The network condition between the hub and one member during a step.
struct LinkState: Hashable, Sendable {
    var partitioned = false
    var lossProbability = 0.0
    var delayMilliseconds = 0
}

/// How one message between the hub and a member fared.
enum Delivery: Hashable, Sendable {
    /// It arrived, and the answer came back within the timeout.
    case delivered(latencyMilliseconds: Int)
    /// The member is down or the link is cut.
    case unreachable
    /// The request was lost.
    case requestLost
    /// The request arrived but the response was lost (the hub sees a timeout).
    case responseLost
    /// The request arrives after the timeout, at this step.
    case late(arrivesAt: Int)

    var succeeded: Bool { if case .delivered = self { true } else { false } }
}
