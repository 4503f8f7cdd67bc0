import FederationAPI
import FederationCore
import Foundation
import Testing

/// The phase machine Pending → Ready → Suspect → Unreachable with its hysteresis.
struct DatacenterHealthTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var from: DatacenterStatus? = nil
        let probes: [ProbeResult]
        var healthCheck = Health.defaults
        let phase: DatacenterPhase
        let failures: Int
        let successes: Int
        /// Second of the probe that began the unhealthy run, or nil when cleared.
        let unhealthySince: Int?
        /// Registered, Reachable and Ready as (status, reason).
        let registered: ConditionStatus
        let reachable: ConditionStatus
        let ready: ConditionStatus
        let readyReason: String
        var testDescription: String { name }
    }

    typealias R = Datacenter.Reason
    static let ok = Health.ok, bad = Health.refused

    static let cases: [Case] = [
        Case(name: "new, first success → Pending (1 of 2)", probes: [ok], phase: .pending, failures: 0, successes: 1, unhealthySince: nil,
             registered: .true, reachable: .true, ready: .false, readyReason: R.pending),
        Case(name: "new, two successes → Ready", probes: [ok, ok], phase: .ready, failures: 0, successes: 2, unhealthySince: nil,
             registered: .true, reachable: .true, ready: .true, readyReason: R.healthy),
        Case(name: "new, successThreshold 1, one success → Ready", probes: [ok],
             healthCheck: EffectiveHealthCheck(periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1),
             phase: .ready, failures: 0, successes: 1, unhealthySince: nil, registered: .true, reachable: .true, ready: .true, readyReason: R.healthy),
        Case(name: "new, failing → stays Pending, not Registered", probes: [bad, bad, bad, bad, bad], phase: .pending, failures: 5, successes: 0,
             unhealthySince: 0, registered: .false, reachable: .false, ready: .false, readyReason: R.pending),
        Case(name: "new, success then failure → Pending, success count reset", probes: [ok, bad], phase: .pending, failures: 1, successes: 0,
             unhealthySince: 1, registered: .true, reachable: .false, ready: .false, readyReason: R.pending),
        Case(name: "new, failures then two successes → Ready, unhealthySince cleared", probes: [bad, bad, ok, ok], phase: .ready, failures: 0,
             successes: 2, unhealthySince: nil, registered: .true, reachable: .true, ready: .true, readyReason: R.healthy),
        Case(name: "ready, one lost probe → Suspect, not Unreachable", from: Health.ready, probes: [bad], phase: .suspect, failures: 1,
             successes: 0, unhealthySince: 0, registered: .true, reachable: .false, ready: .true, readyReason: R.suspect),
        Case(name: "ready, two lost probes → still Suspect", from: Health.ready, probes: [bad, bad], phase: .suspect, failures: 2, successes: 0,
             unhealthySince: 0, registered: .true, reachable: .false, ready: .true, readyReason: R.suspect),
        Case(name: "ready, three lost probes → Unreachable", from: Health.ready, probes: [bad, bad, bad], phase: .unreachable, failures: 3,
             successes: 0, unhealthySince: 0, registered: .true, reachable: .false, ready: .false, readyReason: R.unreachable),
        Case(name: "ready, failureThreshold 1, one lost probe → Suspect", from: Health.ready, probes: [bad],
             healthCheck: EffectiveHealthCheck(periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 1, successThreshold: 2),
             phase: .suspect, failures: 1, successes: 0, unhealthySince: 0, registered: .true, reachable: .false, ready: .true, readyReason: R.suspect),
        Case(name: "ready, failureThreshold 1, two lost probes → Unreachable", from: Health.ready, probes: [bad, bad],
             healthCheck: EffectiveHealthCheck(periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 1, successThreshold: 2),
             phase: .unreachable, failures: 2, successes: 0, unhealthySince: 0, registered: .true, reachable: .false, ready: .false,
             readyReason: R.unreachable),
        Case(name: "suspect, one success → still Suspect (1 of 2)", from: Health.ready, probes: [bad, ok], phase: .suspect, failures: 0,
             successes: 1, unhealthySince: 0, registered: .true, reachable: .true, ready: .true, readyReason: R.suspect),
        Case(name: "suspect, two successes → Ready, unhealthySince cleared", from: Health.ready, probes: [bad, ok, ok], phase: .ready,
             failures: 0, successes: 2, unhealthySince: nil, registered: .true, reachable: .true, ready: .true, readyReason: R.healthy),
        Case(name: "ready, alternating loss → Suspect, never Unreachable", from: Health.ready, probes: [bad, ok, bad, ok, bad, ok, bad],
             phase: .suspect, failures: 1, successes: 0, unhealthySince: 0, registered: .true, reachable: .false, ready: .true,
             readyReason: R.suspect),
        Case(name: "suspect, one success then three failures → Unreachable", from: Health.ready, probes: [bad, ok, bad, bad, bad],
             phase: .unreachable, failures: 3, successes: 0, unhealthySince: 0, registered: .true, reachable: .false, ready: .false,
             readyReason: R.unreachable),
        Case(name: "unreachable, failures keep counting", from: Health.ready, probes: repeatedBad(7), phase: .unreachable, failures: 7,
             successes: 0, unhealthySince: 0, registered: .true, reachable: .false, ready: .false, readyReason: R.unreachable),
        Case(name: "unreachable, one success → Unreachable, Recovering", from: Health.ready, probes: repeatedBad(3) + [ok],
             phase: .unreachable, failures: 0, successes: 1, unhealthySince: 0, registered: .true, reachable: .true, ready: .false,
             readyReason: R.recovering),
        Case(name: "unreachable, two successes → Ready", from: Health.ready, probes: repeatedBad(3) + [ok, ok], phase: .ready, failures: 0,
             successes: 2, unhealthySince: nil, registered: .true, reachable: .true, ready: .true, readyReason: R.healthy),
        Case(name: "unreachable, success then failure → Unreachable, clock kept", from: Health.ready, probes: repeatedBad(3) + [ok, bad],
             phase: .unreachable, failures: 1, successes: 0, unhealthySince: 0, registered: .true, reachable: .false, ready: .false,
             readyReason: R.unreachable),
        Case(name: "unreachable, successThreshold 3, two successes → still Unreachable", from: Health.ready, probes: repeatedBad(3) + [ok, ok],
             healthCheck: EffectiveHealthCheck(periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 3),
             phase: .unreachable, failures: 0, successes: 2, unhealthySince: 0, registered: .true, reachable: .true, ready: .false,
             readyReason: R.recovering),
    ]

    static func repeatedBad(_ n: Int) -> [ProbeResult] { Health.repeated(bad, n) }

    @Test(arguments: cases)
    func phaseAfterProbes(_ c: Case) throws {
        let first = c.from == nil ? 0 : 2
        let status = try #require(Health.run(c.probes, from: c.from, healthCheck: c.healthCheck, first: first).last)
        #expect(status.phase == c.phase)
        #expect(status.consecutiveFailures == c.failures)
        #expect(status.consecutiveSuccesses == c.successes)
        #expect(status.unhealthySince == c.unhealthySince.map { KubeTime(Health.at(first + $0)) })
        #expect(status.conditions.condition("Registered")?.status == c.registered)
        #expect(status.conditions.condition("Reachable")?.status == c.reachable)
        #expect(status.conditions.condition("Ready")?.status == c.ready)
        #expect(status.conditions.condition("Ready")?.reason == c.readyReason)
        #expect(status.lastProbeTime == KubeTime(Health.at(first + c.probes.count - 1)))
    }

    @Test func atDefaultsADeadDatacenterIsUnreachableWithinFiveSeconds() throws {
        // Last good probe at second 1; the member dies; probes every periodSeconds fail.
        let run = Health.run(Health.repeated(Health.timeout, 10), from: Health.ready, first: 2)
        let index = try #require(run.firstIndex { $0.phase == .unreachable })
        let detectedAt = 2 + index
        #expect(detectedAt - 1 <= 5)
        #expect(run.prefix(index).allSatisfy { $0.phase == .suspect })
    }

    @Test func failureReasonAndMessageReachTheConditions() throws {
        let status = try #require(Health.run([Health.timeout], from: Health.ready, first: 2).last)
        let reachable = try #require(status.conditions.condition("Reachable"))
        #expect(reachable.reason == Datacenter.Reason.probeTimeout)
        #expect(reachable.message == "no answer within 1s")
        #expect(status.conditions.condition("Ready")?.message == "1 probe failed; Unreachable after 3: no answer within 1s")
        let twice = try #require(Health.run([Health.timeout, Health.timeout], from: Health.ready, first: 2).last)
        #expect(twice.conditions.condition("Ready")?.message == "2 consecutive probes failed; Unreachable after 3: no answer within 1s")
        let never = Health.after([Health.refused])
        #expect(never.conditions.condition("Registered")?.reason == Datacenter.Reason.connectionFailed)
    }

    @Test func roleIsCarriedOverAndVersionRecorded() throws {
        var previous = Health.ready
        previous.role = .primary
        let failed = DatacenterHealth.evaluate(previous: previous, probe: Health.refused, healthCheck: Health.defaults, generation: 1, now: Health.at(2))
        #expect(failed.role == .primary)
        #expect(failed.serverVersion == "v1.32.0")
        let upgraded = DatacenterHealth.evaluate(
            previous: failed, probe: .success(latency: .milliseconds(3), serverVersion: "v1.33.1"), healthCheck: Health.defaults,
            generation: 1, now: Health.at(3)
        )
        #expect(upgraded.serverVersion == "v1.33.1")
        #expect(upgraded.conditions.condition("Registered")?.message == "The API server answered; version v1.33.1.")
        let lease = DatacenterHealth.evaluate(
            previous: upgraded, probe: .success(latency: .zero, serverVersion: nil), healthCheck: Health.defaults, generation: 1, now: Health.at(4)
        )
        #expect(lease.serverVersion == "v1.33.1")
    }

    @Test func observedGenerationIsRecordedEverywhere() {
        let status = DatacenterHealth.evaluate(previous: Health.ready, probe: Health.ok, healthCheck: Health.defaults, generation: 7, now: Health.at(2))
        #expect(status.observedGeneration == 7)
        #expect(status.conditions.count == 3)
        #expect(status.conditions.allSatisfy { $0.observedGeneration == 7 })
        let failing = DatacenterHealth.evaluate(previous: Health.ready, probe: Health.refused, healthCheck: Health.defaults, generation: 8, now: Health.at(2))
        #expect(failing.conditions.allSatisfy { $0.observedGeneration == 8 })
    }
}

/// Pull-mode members: the agent's Lease stands in for a probe.
struct LeaseProbeTests {
    static let renewed = Health.at(0)

    static func lease(renewedAt: Date?, duration: Int? = 15) -> Lease {
        Lease(
            metadata: ObjectMeta(name: Datacenter.leaseName(for: "edge-1"), namespace: Datacenter.leaseNamespace),
            spec: LeaseSpec(holderIdentity: "agent", leaseDurationSeconds: duration, renewTime: renewedAt.map(MicroTime.init))
        )
    }

    @Test func freshLeaseIsASuccessWithoutLatency() {
        let probe = DatacenterHealth.leaseProbe(lease: Self.lease(renewedAt: Self.renewed), renewObservedAt: nil, now: Health.at(14))
        #expect(probe == .success(latency: nil, serverVersion: nil))
        var status = Health.ready
        status.latencyMilliseconds = 40
        let next = DatacenterHealth.evaluate(previous: status, probe: probe, healthCheck: Health.defaults, generation: 1, now: Health.at(14))
        #expect(next.latencyMilliseconds == 40)
        #expect(next.phase == .ready)
    }

    @Test func expiredLeaseIsAFailureWithAStableMessage() {
        let a = DatacenterHealth.leaseProbe(lease: Self.lease(renewedAt: Self.renewed), renewObservedAt: nil, now: Health.at(15))
        let b = DatacenterHealth.leaseProbe(lease: Self.lease(renewedAt: Self.renewed), renewObservedAt: nil, now: Health.at(40))
        guard case .failure(let reason, let message) = a else {
            Issue.record("expected a failure, got \(a)")
            return
        }
        #expect(reason == Datacenter.Reason.leaseExpired)
        #expect(message.contains(KubeTime(Self.renewed).description))
        #expect(a == b)
    }

    @Test func missingLeaseOrRenewTimeIsLeaseMissing() {
        for lease in [nil, Self.lease(renewedAt: nil)] {
            let probe = DatacenterHealth.leaseProbe(lease: lease, renewObservedAt: nil, now: Health.at(0))
            #expect(probe == .failure(reason: Datacenter.Reason.leaseMissing, message: "The agent has not renewed its Lease yet."))
        }
    }

    @Test func hubObservationTimeBeatsASkewedMemberClock() {
        // The member's clock runs an hour behind: its renewTime looks stale, but the hub saw it change 2 s ago.
        let skewed = Self.lease(renewedAt: Health.at(-3600))
        #expect(DatacenterHealth.leaseProbe(lease: skewed, renewObservedAt: Health.at(8), now: Health.at(10)).succeeded)
        #expect(!DatacenterHealth.leaseProbe(lease: skewed, renewObservedAt: nil, now: Health.at(10)).succeeded)
    }

    @Test func leaseWithoutDurationUsesFifteenSeconds() {
        let lease = Self.lease(renewedAt: Self.renewed, duration: nil)
        #expect(DatacenterHealth.leaseProbe(lease: lease, renewObservedAt: nil, now: Health.at(14)).succeeded)
        #expect(!DatacenterHealth.leaseProbe(lease: lease, renewObservedAt: nil, now: Health.at(15)).succeeded)
    }

    @Test func availablePhases() {
        #expect(DatacenterPhase.allCases.filter(\.isAvailable) == [.ready, .suspect])
    }
}
