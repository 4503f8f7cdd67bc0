import FederationAPI
import Foundation

/// One member datacenter as the simulation models it: alive or crashed, and its durable marker
/// ConfigMap with a resourceVersion for optimistic concurrency.
struct SimulatedMember: Hashable, Sendable {
    let name: String
    var alive = true
    /// Registration installs the unclaimed placeholder.
    var marker = FencingMarker(policy: "", primary: "", epoch: 0)
    var resourceVersion = 1

    /// A member acts as primary only while it runs and its marker names it primary at the epoch it holds.
    var actsAsPrimary: Bool { alive && marker.epoch > 0 && marker.primary == name }

    /// The observation a successful read returns.
    var observed: MemberMarker { MemberMarker(datacenter: name, marker: marker, resourceVersion: String(resourceVersion)) }

    /// Applies a write if its precondition holds (409 otherwise).
    mutating func apply(_ write: MarkerWrite) -> Bool {
        switch write.precondition {
        case .mustNotExist: return false  // the marker exists from registration on
        case .resourceVersion(let expected):
            guard expected == String(resourceVersion) else { return false }
        }
        marker = write.marker
        resourceVersion += 1
        return true
    }
}

/// A marker write that timed out for the hub but is still travelling to the member.
struct InFlightWrite: Hashable, Sendable {
    var member: Int
    var write: MarkerWrite
    var arrivesAt: Int
}

/// The members, the hub's links to them, and the messages in flight.
struct SimulatedWorld: Sendable {
    /// Probes, reads and writes time out after this long.
    static let timeoutMilliseconds = 1000

    var members: [SimulatedMember]
    var baseLatency: [Int]
    var links: [LinkState]
    var inFlight: [InFlightWrite] = []
    /// The members acting as primary after each marker write applied since the checker last
    /// looked: the invariants hold at every moment, not only at the end of a step.
    var moments: [[(member: Int, epoch: Int64)]] = []

    init(names: [String], latencies: [Int]) {
        members = names.map { SimulatedMember(name: $0) }
        baseLatency = latencies
        links = Array(repeating: LinkState(), count: names.count)
    }

    /// Recomputes every link from the faults in force.
    mutating func applyLinks(_ faults: [ActiveFault]) {
        for i in links.indices { links[i] = LinkState() }
        for fault in faults {
            for i in fault.members {
                switch fault.kind {
                case .partition, .majorityPartition: links[i].partitioned = true
                case .loss: links[i].lossProbability = max(links[i].lossProbability, fault.lossProbability)
                case .delay: links[i].delayMilliseconds = max(links[i].delayMilliseconds, fault.delayMilliseconds)
                case .crash, .clockStep: break
                }
            }
        }
    }

    /// Sends one message to member `i` at `step`.
    func send(to i: Int, step: Int, random: inout SimulationRandom) -> Delivery {
        guard members[i].alive, !links[i].partitioned else { return .unreachable }
        let link = links[i]
        if link.lossProbability > 0, random.chance(link.lossProbability) {
            return random.chance(0.5) ? .requestLost : .responseLost
        }
        let latency = baseLatency[i] + link.delayMilliseconds
        if latency >= Self.timeoutMilliseconds {
            return .late(arrivesAt: step + (latency + Self.timeoutMilliseconds - 1) / Self.timeoutMilliseconds)
        }
        return .delivered(latencyMilliseconds: latency)
    }

    /// True when the hub could reach member `i` this step, message loss and delay aside (the ground
    /// truth the quorum rule is checked against).
    func connected(_ i: Int) -> Bool { members[i].alive && !links[i].partitioned }

    /// Delivers the late writes due at `step`; each applies only if its precondition still holds.
    mutating func deliverLate(step: Int, trace: inout SimulationTrace) {
        guard !inFlight.isEmpty else { return }
        var remaining: [InFlightWrite] = []
        for message in inFlight {
            guard message.arrivesAt <= step else {
                remaining.append(message)
                continue
            }
            let i = message.member
            guard connected(i) else {
                trace.log(step, "late write to \(members[i].name) lost in transit")
                continue
            }
            let applied = apply(message.write, to: i)
            trace.log(step, "late write to \(members[i].name) (\(message.write.marker.primary)@\(message.write.marker.epoch)) \(applied ? "applied" : "rejected: 409")")
        }
        inFlight = remaining
    }

    /// Applies a write to member `i` (optimistic concurrency decides) and records the moment after it.
    mutating func apply(_ write: MarkerWrite, to i: Int) -> Bool {
        let applied = members[i].apply(write)
        if applied { moments.append(actingPrimaries) }
        return applied
    }

    /// The members acting as primary, as (index, epoch).
    var actingPrimaries: [(member: Int, epoch: Int64)] {
        members.indices.compactMap { members[$0].actsAsPrimary ? ($0, members[$0].marker.epoch) : nil }
    }
}
