import FederationAPI
import FederationCore
import Foundation
import Testing

/// Deletion of a Datacenter: cleanup is waited for within the bound, then abandoned as Stalled.
struct DatacenterDeletionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let cleanup: MemberCleanup
        /// Seconds since the deletion was requested (nil: no deletionTimestamp).
        let waited: TimeInterval?
        let expected: Expected
        var testDescription: String { name }
    }

    enum Expected: Sendable {
        case release
        case wait(message: String)
        case abandon(message: String)
    }

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let timeout: TimeInterval = 30
    static let left = "member east (https://east:6443) could not be reached for 30 s during deletion; ConfigMap concord-system/concord-federation was left in it: delete it there by hand once the member is back"

    static let cases: [Case] = [
        Case(name: "marker removed → release", cleanup: .removed, waited: 3, expected: .release),
        Case(name: "no connection → release at once", cleanup: .noConnection, waited: 0, expected: .release),
        Case(name: "no connection long after the bound → release, nothing left to report", cleanup: .noConnection, waited: 600, expected: .release),
        Case(name: "cleanup failed just after deletion → wait, 30 s left", cleanup: .failed(error: "refused"), waited: 0,
             expected: .wait(message: "waiting for member east (https://east:6443) to remove the fencing marker: refused; giving up in 30 s")),
        Case(name: "cleanup failed without a deletionTimestamp → wait the whole bound", cleanup: .failed(error: "refused"), waited: nil,
             expected: .wait(message: "waiting for member east (https://east:6443) to remove the fencing marker: refused; giving up in 30 s")),
        Case(name: "cleanup failed 29.5 s in → still waiting, 0 s left", cleanup: .failed(error: "timeout"), waited: 29.5,
             expected: .wait(message: "waiting for member east (https://east:6443) to remove the fencing marker: timeout; giving up in 0 s")),
        Case(name: "cleanup failed at the bound → Stalled and released", cleanup: .failed(error: "timeout"), waited: 30, expected: .abandon(message: left)),
        Case(name: "cleanup failed long after the bound → Stalled and released", cleanup: .failed(error: "timeout"), waited: 3600, expected: .abandon(message: left)),
    ]

    @Test(arguments: cases) func decision(_ c: Case) {
        let now = Self.t0.addingTimeInterval(c.waited ?? 0)
        let decision = DatacenterDeletion.decide(
            datacenter: "east", server: "https://east:6443", cleanup: c.cleanup, deletionRequested: c.waited == nil ? nil : Self.t0,
            generation: 4, cleanupTimeout: Self.timeout, now: now)
        typealias T = Datacenter.ConditionType
        switch (c.expected, decision) {
        case (.release, .release):
            break
        case (.wait(let message), .wait(let conditions)):
            #expect(conditions == [
                Condition(type: T.reconciling, status: .true, observedGeneration: 4, lastTransitionTime: KubeTime(now), reason: CommonReason.finalizing, message: message),
            ])
        case (.abandon(let message), .abandon(let conditions, let said)):
            #expect(said == message)
            #expect(conditions == [
                Condition(type: T.reconciling, status: .false, observedGeneration: 4, lastTransitionTime: KubeTime(now), reason: CommonReason.cleanupTimedOut, message: message),
                Condition(type: T.stalled, status: .true, observedGeneration: 4, lastTransitionTime: KubeTime(now), reason: CommonReason.cleanupTimedOut, message: message),
            ])
        default:
            Issue.record("expected \(c.expected), decided \(decision)")
        }
    }
}
