import FederationAPI
import FederationCore
import Foundation
import Testing

/// Status is written on change, not on every probe.
struct StatusWritePolicyTests {
    static let written = Health.ready  // last probe at second 1

    static func with(_ change: (inout DatacenterStatus) -> Void) -> DatacenterStatus {
        var s = written
        change(&s)
        return s
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let written: DatacenterStatus?
        let computed: DatacenterStatus
        var now = Health.at(2)
        let reason: StatusWriteReason?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "nothing written yet", written: nil, computed: written, reason: .noStatus),
        Case(name: "identical", written: written, computed: written, reason: nil),
        Case(name: "only the probe time moved, 5 s", written: written, computed: with { $0.lastProbeTime = KubeTime(Health.at(6)) },
             now: Health.at(6), reason: nil),
        Case(name: "written probe time is 10 s old", written: written, computed: with { $0.lastProbeTime = KubeTime(Health.at(11)) },
             now: Health.at(11), reason: .refresh),
        Case(name: "new generation observed", written: written, computed: with { $0.observedGeneration = 2 }, reason: .observedGeneration),
        Case(name: "phase changed", written: written, computed: with { $0.phase = .suspect }, reason: .phase),
        Case(name: "role changed", written: written, computed: with { $0.role = .primary }, reason: .role),
        Case(name: "server version changed", written: written, computed: with { $0.serverVersion = "v1.33.0" }, reason: .serverVersion),
        Case(name: "unhealthy run began", written: written, computed: with { $0.unhealthySince = KubeTime(Health.at(2)) }, reason: .unhealthySince),
        Case(name: "condition message changed", written: written,
             computed: with { $0.conditions.set(Condition(type: "Reachable", status: .true, observedGeneration: 1, lastTransitionTime: KubeTime(Health.at(0)), reason: "ProbeSucceeded", message: "other")) },
             reason: .conditions),
        Case(name: "conditions reordered only", written: written, computed: with { $0.conditions.reverse() }, reason: nil),
        Case(name: "failures climbing to the threshold", written: with { $0.consecutiveFailures = 1 }, computed: with { $0.consecutiveFailures = 2 },
             reason: .failureCount),
        Case(name: "failures beyond the threshold", written: with { $0.consecutiveFailures = 5 }, computed: with { $0.consecutiveFailures = 6 },
             reason: nil),
        Case(name: "failures reset", written: with { $0.consecutiveFailures = 9 }, computed: with { $0.consecutiveFailures = 0 },
             reason: .failureCount),
        Case(name: "successes climbing", written: with { $0.consecutiveSuccesses = 1 }, computed: with { $0.consecutiveSuccesses = 2 },
             reason: .successCount),
        Case(name: "latency within 5 ms", written: with { $0.latencyMilliseconds = 3 }, computed: with { $0.latencyMilliseconds = 7 }, reason: nil),
        Case(name: "latency 5 ms away", written: with { $0.latencyMilliseconds = 3 }, computed: with { $0.latencyMilliseconds = 8 }, reason: .latency),
        Case(name: "latency within 20 %", written: with { $0.latencyMilliseconds = 100 }, computed: with { $0.latencyMilliseconds = 119 },
             reason: nil),
        Case(name: "latency 20 % away", written: with { $0.latencyMilliseconds = 100 }, computed: with { $0.latencyMilliseconds = 80 },
             reason: .latency),
        Case(name: "first latency", written: with { $0.latencyMilliseconds = nil }, computed: written, reason: .latency),
    ]

    @Test(arguments: cases)
    func writeReason(_ c: Case) {
        let reason = DatacenterHealth.writeReason(written: c.written, computed: c.computed, healthCheck: Health.defaults, now: c.now)
        #expect(reason == c.reason)
        #expect(DatacenterHealth.needsWrite(written: c.written, computed: c.computed, healthCheck: Health.defaults, now: c.now) == (c.reason != nil))
    }

    /// Drives probes through evaluate + writeReason like a controller would, returning the written statuses.
    static func simulate(_ probes: [ProbeResult], restartEvery: Int? = nil) -> (writes: [Int], computed: [DatacenterStatus]) {
        var written: DatacenterStatus? = nil
        var memory: DatacenterStatus? = nil
        var writes: [Int] = []
        var computed: [DatacenterStatus] = []
        for (i, probe) in probes.enumerated() {
            if let every = restartEvery, i % every == 0 { memory = written }  // a new leader starts from what was written
            let next = DatacenterHealth.evaluate(previous: memory, probe: probe, healthCheck: Health.defaults, generation: 1, now: Health.at(i))
            if DatacenterHealth.needsWrite(written: written, computed: next, healthCheck: Health.defaults, now: Health.at(i)) {
                written = next
                writes.append(i)
            }
            memory = next
            computed.append(next)
        }
        return (writes, computed)
    }

    @Test func steadyReadyDatacenterIsWrittenEveryTenSeconds() {
        let (writes, _) = Self.simulate(Health.repeated(Health.ok, 60))
        #expect(writes == [0, 1, 11, 21, 31, 41, 51])  // created, became Ready, then only refreshes
    }

    @Test func outageIsWrittenAtEveryStepUpToTheThresholdThenRefreshed() {
        let (writes, _) = Self.simulate(Health.repeated(Health.ok, 5) + Health.repeated(Health.refused, 30))
        #expect(writes == [0, 1, 5, 6, 7, 17, 27])  // Suspect, 2 failures, Unreachable, then refreshes
    }

    /// A new leader that starts from the written status decides exactly what the old one would have.
    @Test(arguments: [1, 2, 3, 5, 7])
    func aNewLeaderResumesFromWrittenStatus(restartEvery: Int) {
        var rng = SplitMix(seed: UInt64(restartEvery))
        let probes = (0..<400).map { _ in rng.next() % 3 == 0 ? Health.refused : Health.ok }
        let steady = Self.simulate(probes).computed
        let restarted = Self.simulate(probes, restartEvery: restartEvery).computed
        for (a, b) in zip(steady, restarted) {
            #expect(a.phase == b.phase)
            #expect(a.unhealthySince == b.unhealthySince)
            #expect(a.conditions.map(\.status) == b.conditions.map(\.status))
            #expect(a.conditions.map(\.lastTransitionTime) == b.conditions.map(\.lastTransitionTime))
        }
    }
}

/// A tiny deterministic generator for seeded probe sequences.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
