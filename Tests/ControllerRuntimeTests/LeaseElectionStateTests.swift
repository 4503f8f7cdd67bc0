import ControllerRuntime
import Foundation
import KubernetesAPI
import Testing

private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

private func spec(_ holder: String, renewed: Date = t0, transitions: Int = 3, duration: Int = 15) -> LeaseSpec {
    LeaseSpec(holderIdentity: holder, leaseDurationSeconds: duration, acquireTime: MicroTime(t0), renewTime: MicroTime(renewed), leaseTransitions: transitions)
}

struct LeaseElectionStateTests {
    @Test func aMissingLeaseIsCreatedWithNoTransitions() {
        var s = LeaseElectionState(identity: "me", leaseDuration: .seconds(15))
        let plan = s.plan(current: nil, resourceVersion: nil, now: .zero, wallNow: t0)
        #expect(plan == .create(LeaseSpec(holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: MicroTime(t0), renewTime: MicroTime(t0), leaseTransitions: 0)))
    }

    /// The holder's renewTime lies a day in the past (a skewed clock): still valid, counted from when it was seen.
    @Test func anotherHoldersLeaseCountsFromWhenItWasObservedNotFromItsRenewTime() {
        var s = LeaseElectionState(identity: "me", leaseDuration: .seconds(15))
        let old = spec("other", renewed: t0.addingTimeInterval(-86_400))
        #expect(s.plan(current: old, resourceVersion: "5", now: .seconds(100), wallNow: t0) == .heldByOther(holder: "other", remaining: .seconds(15)))
        #expect(s.plan(current: old, resourceVersion: "5", now: .seconds(114), wallNow: t0) == .heldByOther(holder: "other", remaining: .seconds(1)))
        // Unchanged for the whole lease duration: take it over, one more transition, acquired now.
        let now = t0.addingTimeInterval(15)
        let takeover = s.plan(current: old, resourceVersion: "5", now: .seconds(115), wallNow: now)
        #expect(takeover == .update(LeaseSpec(holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: MicroTime(now), renewTime: MicroTime(now), leaseTransitions: 4), resourceVersion: "5"))
    }

    @Test func aRenewalSeenRestartsTheExpiryClock() {
        var s = LeaseElectionState(identity: "me", leaseDuration: .seconds(15))
        _ = s.plan(current: spec("other"), resourceVersion: "5", now: .zero, wallNow: t0)
        let renewed = spec("other", renewed: t0.addingTimeInterval(10))
        #expect(s.plan(current: renewed, resourceVersion: "6", now: .seconds(10), wallNow: t0) == .heldByOther(holder: "other", remaining: .seconds(15)))
        #expect(s.observedAt == .seconds(10))
        #expect(s.plan(current: renewed, resourceVersion: "6", now: .seconds(24), wallNow: t0) == .heldByOther(holder: "other", remaining: .seconds(1)))
    }

    @Test func aReleasedLeaseIsTakenAtOnceAsANewTransition() {
        var s = LeaseElectionState(identity: "me", leaseDuration: .seconds(15))
        let released = LeaseSpec(holderIdentity: "", leaseDurationSeconds: 1, acquireTime: MicroTime(t0), renewTime: MicroTime(t0), leaseTransitions: 2)
        guard case .update(let next, "9") = s.plan(current: released, resourceVersion: "9", now: .zero, wallNow: t0) else {
            Issue.record("expected an update")
            return
        }
        #expect(next.holderIdentity == "me")
        #expect(next.leaseTransitions == 3)
    }

    @Test func theHolderRenewsKeepingAcquireTimeAndTransitions() {
        var s = LeaseElectionState(identity: "me", leaseDuration: .seconds(15))
        let mine = spec("me", transitions: 7)
        let later = t0.addingTimeInterval(30)
        let plan = s.plan(current: mine, resourceVersion: "3", now: .seconds(30), wallNow: later)
        #expect(plan == .update(LeaseSpec(holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: MicroTime(t0), renewTime: MicroTime(later), leaseTransitions: 7), resourceVersion: "3"))
    }

    @Test func fastPathRenewalAndReleaseOnlyForTheHolder() {
        var s = LeaseElectionState(identity: "me", leaseDuration: .seconds(15))
        #expect(s.renewal(wallNow: t0) == nil)
        #expect(s.release(wallNow: t0) == nil)
        s.wrote(spec("me", transitions: 1), resourceVersion: "4", now: .zero)
        #expect(s.isLeader)
        let later = t0.addingTimeInterval(2)
        #expect(s.renewal(wallNow: later) == .update(spec("me", renewed: later, transitions: 1), resourceVersion: "4"))
        #expect(s.release(wallNow: later) == .update(LeaseSpec(holderIdentity: "", leaseDurationSeconds: 1, acquireTime: MicroTime(later), renewTime: MicroTime(later), leaseTransitions: 1), resourceVersion: "4"))
    }

    struct TimingCase: Sendable, CustomTestStringConvertible {
        var lease: Int, renew: Double, retry: Double, identity = "me", valid: Bool
        var testDescription: String { "\(lease)s/\(renew)s/\(retry)s identity '\(identity)' → \(valid ? "valid" : "rejected")" }
    }

    @Test(arguments: [
        TimingCase(lease: 15, renew: 10, retry: 2, valid: true),
        TimingCase(lease: 10, renew: 10, retry: 2, valid: false),
        TimingCase(lease: 15, renew: 10, retry: 9, valid: false),
        TimingCase(lease: 15, renew: 2.4, retry: 2, valid: false),
        TimingCase(lease: 15, renew: 2.5, retry: 2, valid: true),
        TimingCase(lease: 15, renew: 10, retry: 0, valid: false),
        TimingCase(lease: 0, renew: 10, retry: 2, valid: false),
        TimingCase(lease: 15, renew: 10, retry: 2, identity: "", valid: false),
    ])
    func timingsAreValidatedAsClientGoDoes(_ c: TimingCase) {
        let config = LeaderElectionConfiguration(
            namespace: "ns", name: "lock", identity: c.identity, leaseDuration: .seconds(c.lease),
            renewDeadline: .milliseconds(Int64(c.renew * 1000)), retryPeriod: .milliseconds(Int64(c.retry * 1000)))
        if c.valid {
            #expect(throws: Never.self) { try config.validate() }
        } else {
            #expect(throws: LeaderElectionConfigurationError.self) { try config.validate() }
        }
    }

    @Test func defaultIdentityIsHostnameUnderscoreUUID() {
        let id = LeaderElectionConfiguration.defaultIdentity()
        let parts = id.split(separator: "_")
        #expect(parts.count >= 2)
        #expect(UUID(uuidString: String(parts.last!)) != nil)
        #expect(LeaderElectionConfiguration.defaultIdentity() != id)
    }
}
