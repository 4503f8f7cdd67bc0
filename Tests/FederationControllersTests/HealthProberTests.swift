import ConcordTesting
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging
import Synchronization
import Testing

@testable import FederationControllers

/// Counts wake-ups per datacenter.
final class WakeCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func wake(_ name: String) { counts.withLock { $0[name, default: 0] += 1 } }
    func count(_ name: String) -> Int { counts.withLock { $0[name, default: 0] } }
}

struct HealthProberTests {
    static func healthCheck(period: Int = 1, timeout: Int = 1) -> EffectiveHealthCheck {
        HealthCheckSpec(periodSeconds: period, timeoutSeconds: timeout, failureThreshold: 3, successThreshold: 2).effective
    }

    @Test func aHungMemberNeverDelaysTheOthers() async throws {
        let clock = ManualClock()
        let ledger = ProbeLedger()
        let wakes = WakeCounter()
        let prober = HealthProber(
            ledger: ledger, clock: RuntimeClock(clock), now: { Date(timeIntervalSince1970: 0) },
            logger: Logger(label: "test"), onProbe: { wakes.wake($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await prober.run() }
            prober.ensure("fast", ProbeTarget(revision: "1", healthCheck: Self.healthCheck()) { _ in
                .success(latency: .milliseconds(2), serverVersion: "v1.32.0")
            })
            prober.ensure("hung", ProbeTarget(revision: "1", healthCheck: Self.healthCheck()) { _ in
                // Never answers within the test: sleeps an hour of virtual time.
                try? await clock.sleep(for: .seconds(3600))
                return .failure(reason: "ProbeTimeout", message: "hung")
            })
            // fast: sleeping until its next period; hung: sleeping inside its probe.
            try await clock.waitForSleepers(2)
            for _ in 0..<5 {
                clock.advance(by: .seconds(1))
                try await clock.waitForSleepers(2)
            }
            #expect(wakes.count("fast") == 6)
            #expect(wakes.count("hung") == 0)
            let fast = await ledger.drain("fast").observations
            #expect(fast.count == 6)
            #expect(fast.allSatisfy { $0.result.succeeded })
            group.cancelAll()
        }
    }

    @Test func probesStartEveryPeriodAndStopWhenAsked() async throws {
        let clock = ManualClock()
        let ledger = ProbeLedger()
        let wakes = WakeCounter()
        let prober = HealthProber(
            ledger: ledger, clock: RuntimeClock(clock), now: { Date(timeIntervalSince1970: 0) },
            logger: Logger(label: "test"), onProbe: { wakes.wake($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await prober.run() }
            prober.ensure("a", ProbeTarget(revision: "1", healthCheck: Self.healthCheck(period: 5)) { _ in
                .success(latency: .milliseconds(1), serverVersion: nil)
            })
            try await clock.waitForSleepers(1)
            #expect(wakes.count("a") == 1)
            clock.advance(by: .seconds(4))
            #expect(wakes.count("a") == 1, "no probe before the period has passed")
            clock.advance(by: .seconds(1))
            try await clock.waitForSleepers(1)
            #expect(wakes.count("a") == 2)
            // Re-ensuring the same revision does not start a second loop.
            prober.ensure("a", ProbeTarget(revision: "1", healthCheck: Self.healthCheck(period: 5)) { _ in
                .success(latency: .milliseconds(1), serverVersion: nil)
            })
            clock.advance(by: .seconds(5))
            try await clock.waitForSleepers(1)
            #expect(wakes.count("a") == 3)
            prober.stop("a")
            #expect(!prober.isProbing("a"))
            clock.advance(by: .seconds(5))
            // The loop wakes, sees it was stopped, and exits without probing.
            try await clock.waitForSleepers(0)
            #expect(wakes.count("a") == 3)
            group.cancelAll()
        }
    }
}
