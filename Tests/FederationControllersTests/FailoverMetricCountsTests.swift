import FederationAPI
import Foundation
import Testing

@testable import FederationControllers

/// What a status's new last transition counts in the failover and redistribution metrics: a start
/// once, a completion once, and both for a move that started and completed in one pass.
struct FailoverMetricCountsTests {
    static let t = KubeTime(Date(timeIntervalSince1970: 1_800_000_000))

    static func move(to: String = "us-west", reason: String = "DatacenterUnreachable", completed: Bool) -> FailoverTransition {
        FailoverTransition(from: "us-east", to: to, reason: reason, startedAt: t, completedAt: completed ? KubeTime(t.date.addingTimeInterval(3)) : nil)
    }

    @Test func aMoveCountsItsStartAndItsCompletionOnce() {
        let started = ServiceFailoverReconciler.counts(Self.move(completed: false), previous: nil)
        #expect(started == (true, false))
        let completed = ServiceFailoverReconciler.counts(Self.move(completed: true), previous: Self.move(completed: false))
        #expect(completed == (false, true))
    }

    @Test func aMoveStartedAndCompletedInOnePassCountsBoth() {
        #expect(ServiceFailoverReconciler.counts(Self.move(completed: true), previous: nil) == (true, true))
        // The previous status showed another move (settled): this one was never seen starting.
        let before = FailoverTransition(from: "none", to: "us-east", reason: "InitialPlacement", startedAt: KubeTime(Self.t.date.addingTimeInterval(-60)), completedAt: Self.t)
        #expect(ServiceFailoverReconciler.counts(Self.move(completed: true), previous: before) == (true, true))
        // An in-flight move replaced by another with the same start (an overtaken redistribution's successor starts later, but be strict).
        #expect(ServiceFailoverReconciler.counts(Self.move(to: "eu-central", completed: true), previous: Self.move(completed: false)) == (true, true))
    }
}
