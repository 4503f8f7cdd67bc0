import FederationAPI
import FederationCore
import Foundation
import Testing

/// The smoothed latency: EWMA with weight 0.3, whole milliseconds, never stuck.
struct LatencySmoothingTests {
    static func probe(_ ms: Double) -> ProbeResult { .success(latency: .microseconds(Int64(ms * 1000)), serverVersion: nil) }

    static func latency(after samples: [Double], from previous: Int?) -> Int? {
        var status = DatacenterStatus(phase: .ready, latencyMilliseconds: previous)
        for (i, s) in samples.enumerated() {
            status = DatacenterHealth.evaluate(previous: status, probe: probe(s), healthCheck: Health.defaults, generation: 1, now: Health.at(i))
        }
        return status.latencyMilliseconds
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let previous: Int?
        let samples: [Double]
        let expected: Int
        var testDescription: String { name }
        init(_ name: String, _ previous: Int?, _ samples: [Double], _ expected: Int) {
            (self.name, self.previous, self.samples, self.expected) = (name, previous, samples, expected)
        }
    }

    @Test(arguments: [
        Case("first sample is taken as is", nil, [3.4], 3),
        Case("a jump moves 30 % of the way", 3, [100], 32),
        Case("a drop moves 30 % of the way", 100, [0], 70),
        Case("a 1 ms change is not lost to rounding", 10, [11], 11),
        Case("a sub-millisecond wobble is ignored", 10, [10.4], 10),
        Case("sub-millisecond loopback rounds", nil, [0.4], 0),
    ])
    func smoothing(_ c: Case) {
        #expect(Self.latency(after: c.samples, from: c.previous) == c.expected)
    }

    @Test func convergesToASteadyLatency() {
        #expect(Self.latency(after: Array(repeating: 50, count: 40), from: 3) == 50)
        #expect(Self.latency(after: Array(repeating: 4, count: 40), from: 90) == 4)
    }

    @Test func failuresKeepTheLastLatency() {
        let status = DatacenterHealth.evaluate(
            previous: DatacenterStatus(phase: .ready, latencyMilliseconds: 12), probe: Health.refused, healthCheck: Health.defaults,
            generation: 1, now: Health.at(0)
        )
        #expect(status.latencyMilliseconds == 12)
    }
}

extension LatencySmoothingTests {
    /// An Unreachable member shows no latency (the LATENCY column is empty), and its first answer starts afresh.
    @Test func anUnreachableMemberHasNoLatencyUntilItAnswersAgain() {
        var status = DatacenterStatus(phase: .ready, latencyMilliseconds: 40)
        var i = 0
        while status.phase != .unreachable, i < 10 {
            status = DatacenterHealth.evaluate(previous: status, probe: Health.timeout, healthCheck: Health.defaults, generation: 1, now: Health.at(i))
            if status.phase == .suspect { #expect(status.latencyMilliseconds == 40, "a suspect member keeps its last latency") }
            i += 1
        }
        #expect(status.phase == .unreachable && status.latencyMilliseconds == nil)
        status = DatacenterHealth.evaluate(previous: status, probe: Self.probe(7), healthCheck: Health.defaults, generation: 1, now: Health.at(i))
        #expect(status.latencyMilliseconds == 7)
    }
}
