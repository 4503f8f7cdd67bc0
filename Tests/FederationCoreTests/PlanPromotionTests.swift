import FederationAPI
import FederationCore
import Foundation
import Testing

/// Every branch of planPromotion, as a table.
struct PlanPromotionTests {
    /// What a case expects: the exact decision, or (for blocked and wait) the reason and time, whose
    /// messages are checked separately.
    enum Expect: Equatable, Sendable {
        case exactly(PromotionDecision)
        case blocked(String)
        case wait(until: Int, reason: String)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var policy = Promo.policy()
        var members = [Promo.ready("a"), Promo.ready("b", latency: 20), Promo.ready("c", latency: 30)]
        /// nil: the current markers of every reachable member.
        var markers: [MemberMarker]? = nil
        var now = 100
        let expect: Expect
        var testDescription: String { name }
    }

    typealias R = FederationPolicy.Reason
    static let a = Promo.ready("a"), b = Promo.ready("b", latency: 20), c = Promo.ready("c", latency: 30)
    static func down(_ name: String, since: Int = 60) -> MemberView { Promo.unreachable(name, since: since) }

    static let initial: [Case] = [
        Case(name: "no status, spec.primary Ready, majority → promote spec.primary at epoch 1 (InitialPrimary)",
             policy: Promo.policy(status: nil, epoch: nil), expect: .exactly(.promote(from: nil, to: "a", epoch: 1, reason: R.initialPrimary))),
        Case(name: "epoch 0 in status counts as no primary yet", policy: Promo.policy(status: "a", epoch: 0),
             expect: .exactly(.promote(from: nil, to: "a", epoch: 1, reason: R.initialPrimary))),
        Case(name: "no status, spec.primary Pending → blocked PrimaryNotReady", policy: Promo.policy(status: nil, epoch: nil),
             members: [Promo.pending("a"), b, c], expect: .blocked(R.primaryNotReady)),
        Case(name: "no status, spec.primary not a member → blocked PrimaryNotMember", policy: Promo.policy(spec: "x", status: nil, epoch: nil),
             expect: .blocked(R.primaryNotMember)),
        Case(name: "no status, spec.primary cordoned → blocked PrimaryUnschedulable", policy: Promo.policy(status: nil, epoch: nil),
             members: [Promo.ready("a", cordoned: true), b, c], expect: .blocked(R.primaryUnschedulable)),
        Case(name: "no status, 1 of 3 reachable → blocked QuorumLost", policy: Promo.policy(status: nil, epoch: nil),
             members: [a, down("b"), down("c")], expect: .blocked(R.quorumLost)),
        Case(name: "no status, 1 of 3 reachable, requireQuorum false → promote at epoch 1",
             policy: Promo.policy(status: nil, epoch: nil, requireQuorum: false), members: [a, down("b"), down("c")],
             expect: .exactly(.promote(from: nil, to: "a", epoch: 1, reason: R.initialPrimary))),
    ]

    static let steady: [Case] = [
        Case(name: "primary Ready, spec unchanged → stay", expect: .exactly(.stay(primary: "a", epoch: 1))),
        Case(name: "primary Suspect → stay: watched, not abandoned", members: [Promo.suspect("a"), b, c],
             expect: .exactly(.stay(primary: "a", epoch: 1))),
        Case(name: "primary Pending → stay", members: [Promo.pending("a"), b, c], expect: .exactly(.stay(primary: "a", epoch: 1))),
        Case(name: "primary Ready, majority lost → stay: quorum only gates promotions", members: [a, down("b"), down("c")],
             expect: .exactly(.stay(primary: "a", epoch: 1))),
    ]

    static let failover: [Case] = [
        Case(name: "primary Unreachable 40s of 30 → wait until it has been Unreachable 30s", members: [down("a", since: 90), b, c],
             expect: .wait(until: 120, reason: R.primaryUnreachable)),
        Case(name: "primary Unreachable exactly 30s → promote at epoch+1", members: [down("a", since: 70), b, c],
             expect: .exactly(.promote(from: "a", to: "b", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "primary Unreachable, priority 200 beats lower latency", members: [down("a"), b, Promo.ready("c", priority: 200, latency: 90)],
             expect: .exactly(.promote(from: "a", to: "c", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "primary Unreachable, equal priority → lower latency wins", members: [down("a"), Promo.ready("b", latency: 50), Promo.ready("c", latency: 5)],
             expect: .exactly(.promote(from: "a", to: "c", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "primary Unreachable, equal priority and latency → name order", members: [down("a"), Promo.ready("c"), Promo.ready("b")],
             expect: .exactly(.promote(from: "a", to: "b", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "primary Unreachable, unknown latency ranks last", members: [down("a"), Promo.ready("b", latency: nil), Promo.ready("c", latency: 900)],
             expect: .exactly(.promote(from: "a", to: "c", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "candidates [c, b] → c first even with lower priority", policy: Promo.policy(candidates: ["c", "b"]),
             members: [down("a"), Promo.ready("b", priority: 900), c],
             expect: .exactly(.promote(from: "a", to: "c", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "candidates [x, c], x not a member → c", policy: Promo.policy(candidates: ["x", "c"]), members: [down("a"), b, c],
             expect: .exactly(.promote(from: "a", to: "c", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "candidates [c, b], c Unreachable → b", policy: Promo.policy(candidates: ["c", "b"]), members: [down("a"), b, down("c"), Promo.ready("d"), Promo.ready("e")],
             expect: .exactly(.promote(from: "a", to: "b", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "candidates [c], c Unreachable, others Ready → blocked NoEligibleCandidate (the list is exclusive)",
             policy: Promo.policy(candidates: ["c"]), members: [down("a"), b, down("c"), Promo.ready("d"), Promo.ready("e")], expect: .blocked(R.noEligibleCandidate)),
        Case(name: "cordoned, Suspect and Pending members are skipped → the Ready one",
             members: [down("a"), Promo.ready("b", cordoned: true), Promo.suspect("c"), Promo.pending("d"), Promo.ready("e")],
             expect: .exactly(.promote(from: "a", to: "e", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "no Ready other member → blocked NoEligibleCandidate",
             members: [down("a"), Promo.ready("b", cordoned: true), Promo.ready("c", cordoned: true), Promo.pending("d"), Promo.suspect("e")],
             expect: .blocked(R.noEligibleCandidate)),
        Case(name: "mode Manual, primary Unreachable → blocked AwaitingManualPromotion at once", policy: Promo.policy(mode: .manual),
             members: [down("a", since: 99), b, c], expect: .blocked(R.awaitingManualPromotion)),
        Case(name: "primary Unreachable 40s, 1 of 3 reachable → blocked QuorumLost", members: [down("a"), b, down("c")],
             expect: .blocked(R.quorumLost)),
        Case(name: "primary Unreachable 40s, 1 of 3 reachable, requireQuorum false → promote", policy: Promo.policy(requireQuorum: false),
             members: [down("a"), b, down("c")], expect: .exactly(.promote(from: "a", to: "b", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "two members, primary lost, quorum required → blocked QuorumLost", members: [down("a"), b], expect: .blocked(R.quorumLost)),
        Case(name: "2 of 3 reachable is a majority → promote", members: [down("a"), b, c],
             expect: .exactly(.promote(from: "a", to: "b", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "unreachableForSeconds 0 → promote at once", policy: Promo.policy(unreachableFor: 0), members: [down("a", since: 100), b, c],
             expect: .exactly(.promote(from: "a", to: "b", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "epoch 7 → promote at epoch 8", policy: Promo.policy(epoch: 7), members: [down("a"), b, c],
             expect: .exactly(.promote(from: "a", to: "b", epoch: 8, reason: R.primaryUnreachable))),
        Case(name: "primary Unreachable 40s, majority regained at 90 → wait until 120: the window restarts with the majority",
             members: [down("a"), Promo.ready("b", reachableSince: 90), c], expect: .wait(until: 120, reason: R.primaryUnreachable)),
        Case(name: "primary Unreachable 40s, majority regained at 70 → promote at 100",
             members: [down("a"), Promo.ready("b", reachableSince: 70), Promo.ready("c", latency: 30, reachableSince: 20)],
             expect: .exactly(.promote(from: "a", to: "b", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "majority regained at 90, requireQuorum false → the window counts from the primary's loss → promote",
             policy: Promo.policy(requireQuorum: false), members: [down("a"), Promo.ready("b", reachableSince: 90), c],
             expect: .exactly(.promote(from: "a", to: "b", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "majority held since before the loss → the window counts from the loss → promote",
             members: [down("a"), Promo.ready("b", reachableSince: 10), Promo.ready("c", latency: 30, reachableSince: 50)],
             expect: .exactly(.promote(from: "a", to: "b", epoch: 2, reason: R.primaryUnreachable))),
    ]

    static let planned: [Case] = [
        Case(name: "spec.primary changed to a Ready member → handover at epoch+1 (PlannedPromotion)", policy: Promo.policy(spec: "b"),
             expect: .exactly(.handover(from: "a", to: "b", epoch: 2, reason: R.plannedPromotion))),
        Case(name: "spec.primary changed in Manual mode → handover: Manual governs automatic promotion only",
             policy: Promo.policy(spec: "b", mode: .manual), expect: .exactly(.handover(from: "a", to: "b", epoch: 2, reason: R.plannedPromotion))),
        Case(name: "spec.primary changed to an Unreachable member, primary serving → blocked PrimaryNotReady", policy: Promo.policy(spec: "b"),
             members: [a, down("b"), c], expect: .blocked(R.primaryNotReady)),
        Case(name: "spec.primary changed to a cordoned member → blocked PrimaryUnschedulable", policy: Promo.policy(spec: "b"),
             members: [a, Promo.ready("b", cordoned: true), c], expect: .blocked(R.primaryUnschedulable)),
        Case(name: "spec.primary changed to a non-member → blocked PrimaryNotMember", policy: Promo.policy(spec: "x"),
             expect: .blocked(R.primaryNotMember)),
        Case(name: "spec.primary changed, 1 of 3 reachable → blocked QuorumLost", policy: Promo.policy(spec: "b"), members: [a, b, down("c"), down("d")],
             expect: .blocked(R.quorumLost)),
        Case(name: "spec.primary changed to a Pending member while the primary is Unreachable 40s → failover to the best candidate",
             policy: Promo.policy(spec: "b"), members: [down("a"), Promo.pending("b"), c],
             expect: .exactly(.promote(from: "a", to: "c", epoch: 2, reason: R.primaryUnreachable))),
        Case(name: "spec.primary changed to a Ready member while the primary is Unreachable → handover without waiting",
             policy: Promo.policy(spec: "c"), members: [down("a", since: 99), b, c],
             expect: .exactly(.handover(from: "a", to: "c", epoch: 2, reason: R.plannedPromotion))),
        Case(name: "primary no longer a member, spec.primary still names it → blocked PrimaryNotMember", members: [b, c],
             expect: .blocked(R.primaryNotMember)),
        Case(name: "primary no longer a member, spec.primary changed to a Ready member → handover", policy: Promo.policy(spec: "c"),
             members: [b, c], expect: .exactly(.handover(from: "a", to: "c", epoch: 2, reason: R.plannedPromotion))),
    ]

    static let failedOverToB = [Promo.failedOver(from: "a", to: "b", epoch: 2)]
    static func afterFailover(_ failback: FailbackMode, stabilization: Int? = 120, annotations: [String: String]? = nil) -> FederationPolicy {
        Promo.policy(spec: "a", status: "b", epoch: 2, failback: failback, stabilization: stabilization, history: failedOverToB, annotations: annotations)
    }
    static let requested = [PromotionAnnotation.failbackRequestedAt: "2026-05-28T20:27:30Z"]  // start + 50 s
    static let requestedEarlier = [PromotionAnnotation.failbackRequestedAt: "2026-05-28T20:26:45Z"]  // start + 5 s

    static let failback: [Case] = [
        Case(name: "failed over, failback Manual, spec.primary Ready again → stay", policy: afterFailover(.manual),
             expect: .exactly(.stay(primary: "b", epoch: 2))),
        Case(name: "failed over, failback Manual, failback requested after the last promotion → handover (Failback)",
             policy: afterFailover(.manual, annotations: requested), expect: .exactly(.handover(from: "b", to: "a", epoch: 3, reason: R.failback))),
        Case(name: "failed over, failback Manual, request older than the last promotion → stay",
             policy: afterFailover(.manual, annotations: requestedEarlier), expect: .exactly(.stay(primary: "b", epoch: 2))),
        Case(name: "failed over, failback Manual, requested but spec.primary Unreachable → blocked PrimaryNotReady",
             policy: afterFailover(.manual, annotations: requested), members: [down("a"), b, c], expect: .blocked(R.primaryNotReady)),
        Case(name: "failed over, failback Automatic, spec.primary Ready 60s of 120 → wait until stable",
             policy: afterFailover(.automatic), members: [Promo.ready("a", since: 40), b, c], expect: .wait(until: 160, reason: R.stabilizing)),
        Case(name: "failed over, failback Automatic, spec.primary Ready 120s → handover (Failback)",
             policy: afterFailover(.automatic), members: [Promo.ready("a", since: -20), b, c],
             expect: .exactly(.handover(from: "b", to: "a", epoch: 3, reason: R.failback))),
        Case(name: "failed over, failback Automatic, stabilization 0 → handover at once", policy: afterFailover(.automatic, stabilization: 0),
             members: [Promo.ready("a", since: 100), b, c], expect: .exactly(.handover(from: "b", to: "a", epoch: 3, reason: R.failback))),
        Case(name: "failed over, failback Automatic, spec.primary Unreachable → stay", policy: afterFailover(.automatic),
             members: [down("a"), b, c], expect: .exactly(.stay(primary: "b", epoch: 2))),
        Case(name: "failed over, failback Automatic, spec.primary Suspect → stay", policy: afterFailover(.automatic),
             members: [Promo.suspect("a"), b, c], expect: .exactly(.stay(primary: "b", epoch: 2))),
        Case(name: "failed over, failback Automatic, stable but 2 of 5 reachable → blocked QuorumLost",
             policy: afterFailover(.automatic, stabilization: 0), members: [a, b, down("c"), down("d"), down("e")], expect: .blocked(R.quorumLost)),
        Case(name: "failed over twice (a → b → c), failback Automatic to a → handover from c",
             policy: Promo.policy(spec: "a", status: "c", epoch: 3, failback: .automatic, stabilization: 0,
                                  history: [Promo.failedOver(from: "b", to: "c", epoch: 3, at: 20), Promo.failedOver(from: "a", to: "b", epoch: 2)]),
             expect: .exactly(.handover(from: "c", to: "a", epoch: 4, reason: R.failback))),
        Case(name: "failed over, then spec.primary changed to c → planned handover without stabilization",
             policy: Promo.policy(spec: "c", status: "b", epoch: 2, failback: .automatic, history: failedOverToB),
             expect: .exactly(.handover(from: "b", to: "c", epoch: 3, reason: R.plannedPromotion))),
        Case(name: "planned promotion to b, then spec.primary back to a → planned, not failback",
             policy: Promo.policy(spec: "a", status: "b", epoch: 2, failback: .manual,
                                  history: [PromotionRecord(from: "a", to: "b", epoch: 2, reason: R.plannedPromotion, time: KubeTime(Promo.at(10)))]),
             expect: .exactly(.handover(from: "b", to: "a", epoch: 3, reason: R.plannedPromotion))),
        Case(name: "failed over, the new primary Unreachable 40s too → failover rules, spec.primary ranked on merit",
             policy: afterFailover(.manual), members: [Promo.ready("a", latency: 50), down("b"), Promo.ready("c", latency: 5)],
             expect: .exactly(.promote(from: "b", to: "c", epoch: 3, reason: R.primaryUnreachable))),
    ]

    static let fencing: [Case] = [
        Case(name: "member returns with an older epoch → demote it before promoting", policy: Promo.policy(epoch: 4),
             members: [down("a"), b, c, Promo.ready("d")],
             markers: [Promo.marker("b", "a", 4), Promo.marker("c", "a", 4), Promo.marker("d", "d", 3)],
             expect: .exactly(.demote(member: "d", epoch: 4))),
        Case(name: "former primary returns claiming an older epoch → demote", policy: Promo.policy(spec: "b", status: "b", epoch: 2), members: [a, b, c],
             markers: [Promo.marker("a", "a", 1), Promo.marker("b", "b", 2), Promo.marker("c", "b", 2)],
             expect: .exactly(.demote(member: "a", epoch: 2))),
        Case(name: "member joins with the placeholder marker → demote to the epoch in force", policy: Promo.policy(epoch: 2),
             markers: [Promo.marker("a", "a", 2), Promo.marker("b", "a", 2), Promo.placeholder("c")], expect: .exactly(.demote(member: "c", epoch: 2))),
        Case(name: "reachable member without a marker → demote (the marker is created)", policy: Promo.policy(epoch: 2),
             markers: [Promo.marker("a", "a", 2), MemberMarker(datacenter: "b", marker: nil, resourceVersion: nil), Promo.marker("c", "a", 2)],
             expect: .exactly(.demote(member: "b", epoch: 2))),
        Case(name: "two stale members → the first by name", policy: Promo.policy(epoch: 2),
             markers: [Promo.marker("a", "a", 2), Promo.marker("c", "a", 1), Promo.marker("b", "a", 1)], expect: .exactly(.demote(member: "b", epoch: 2))),
        Case(name: "primary's own marker stale (interrupted promotion) → stay: fencing writes the primary first",
             policy: Promo.policy(spec: "b", status: "b", epoch: 2), markers: [Promo.marker("a", "a", 1), Promo.marker("b", "a", 1), Promo.marker("c", "b", 2)],
             expect: .exactly(.stay(primary: "b", epoch: 2))),
        Case(name: "stale marker of a non-member is ignored", markers: [Promo.marker("a", "a", 1), Promo.marker("b", "a", 1), Promo.marker("x", "x", 0)],
             expect: .exactly(.stay(primary: "a", epoch: 1))),
        Case(name: "stale member while the primary is unreachable → demote first", policy: Promo.policy(epoch: 3),
             members: [down("a"), b, c], markers: [Promo.marker("b", "a", 3), Promo.marker("c", "a", 2)], expect: .exactly(.demote(member: "c", epoch: 3))),
    ]

    static let splitBrain: [Case] = [
        Case(name: "marker newer than the policy (hub restored from an old backup) → blocked ConflictingPrimaries", policy: Promo.policy(epoch: 4),
             markers: [Promo.marker("a", "a", 4), Promo.marker("b", "b", 6), Promo.marker("c", "b", 6)], expect: .blocked(R.conflictingPrimaries)),
        Case(name: "two members claim primary at the policy's epoch → blocked ConflictingPrimaries", policy: Promo.policy(epoch: 4),
             markers: [Promo.marker("a", "a", 4), Promo.marker("b", "b", 4), Promo.marker("c", "a", 4)], expect: .blocked(R.conflictingPrimaries)),
        Case(name: "marker of another policy → blocked ConflictingPrimaries",
             markers: [Promo.marker("a", "a", 1), Promo.marker("b", "a", 1), Promo.marker("c", "c", 1, policy: "other")],
             expect: .blocked(R.conflictingPrimaries)),
        Case(name: "no status, a member holds epoch 3 → blocked ConflictingPrimaries", policy: Promo.policy(status: nil, epoch: nil),
             markers: [Promo.placeholder("a"), Promo.marker("b", "b", 3), Promo.placeholder("c")], expect: .blocked(R.conflictingPrimaries)),
        Case(name: "split brain acknowledged at the highest epoch → promote spec.primary above it (SplitBrainResolved)",
             policy: Promo.policy(epoch: 4, annotations: [PromotionAnnotation.resolveSplitBrain: "6"]),
             markers: [Promo.marker("a", "a", 4), Promo.marker("b", "b", 6), Promo.marker("c", "b", 6)],
             expect: .exactly(.promote(from: "a", to: "a", epoch: 7, reason: R.splitBrainResolved))),
        Case(name: "split brain acknowledged with an older epoch → still blocked",
             policy: Promo.policy(epoch: 4, annotations: [PromotionAnnotation.resolveSplitBrain: "5"]),
             markers: [Promo.marker("a", "a", 4), Promo.marker("b", "b", 6)], expect: .blocked(R.conflictingPrimaries)),
        Case(name: "split brain acknowledged, spec.primary Unreachable → still blocked",
             policy: Promo.policy(epoch: 4, annotations: [PromotionAnnotation.resolveSplitBrain: "6"]), members: [down("a"), b, c],
             markers: [Promo.marker("b", "b", 6), Promo.marker("c", "a", 4)], expect: .blocked(R.conflictingPrimaries)),
        Case(name: "split brain acknowledged, 1 of 3 reachable → still blocked",
             policy: Promo.policy(epoch: 4, annotations: [PromotionAnnotation.resolveSplitBrain: "6"]), members: [a, down("b"), down("c")],
             markers: [Promo.marker("a", "b", 6)], expect: .blocked(R.conflictingPrimaries)),
        Case(name: "split brain with another policy's marker, acknowledged → still blocked",
             policy: Promo.policy(annotations: [PromotionAnnotation.resolveSplitBrain: "1"]),
             markers: [Promo.marker("a", "a", 1), Promo.marker("c", "c", 1, policy: "other")], expect: .blocked(R.conflictingPrimaries)),
        Case(name: "two old claims below the policy's epoch → no split brain; demote", policy: Promo.policy(spec: "c", status: "c", epoch: 5),
             markers: [Promo.marker("a", "a", 3), Promo.marker("b", "b", 3), Promo.marker("c", "c", 5)], expect: .exactly(.demote(member: "a", epoch: 5))),
        Case(name: "split brain reported even while the primary is Unreachable past its deadline", policy: Promo.policy(epoch: 2),
             members: [down("a"), b, c], markers: [Promo.marker("b", "b", 3), Promo.marker("c", "a", 2)], expect: .blocked(R.conflictingPrimaries)),
    ]

    static func decide(_ c: Case) -> PromotionDecision {
        planPromotion(
            policy: c.policy, members: c.members, markers: c.markers ?? Promo.currentMarkers(c.policy, c.members),
            quorum: QuorumView(members: c.members), now: Promo.at(c.now))
    }

    static func check(_ c: Case) {
        let decision = decide(c)
        switch c.expect {
        case .exactly(let expected):
            #expect(decision == expected)
        case .blocked(let reason):
            guard case .blocked(let got, let message) = decision else {
                Issue.record("expected blocked \(reason), got \(decision)")
                return
            }
            #expect(got == reason)
            #expect(!message.isEmpty)
        case .wait(let until, let reason):
            guard case .wait(let at, let got, let message) = decision else {
                Issue.record("expected wait \(reason), got \(decision)")
                return
            }
            #expect(at == Promo.at(until))
            #expect(got == reason)
            #expect(!message.isEmpty)
        }
    }

    @Test(arguments: initial) func initialAssignment(_ c: Case) { Self.check(c) }
    @Test(arguments: steady) func steadyState(_ c: Case) { Self.check(c) }
    @Test(arguments: failover) func automaticFailover(_ c: Case) { Self.check(c) }
    @Test(arguments: planned) func plannedPromotion(_ c: Case) { Self.check(c) }
    @Test(arguments: failback) func failbackRules(_ c: Case) { Self.check(c) }
    @Test(arguments: fencing) func staleMembersAreDemotedFirst(_ c: Case) { Self.check(c) }
    @Test(arguments: splitBrain) func splitBrainStopsPromotion(_ c: Case) { Self.check(c) }
}
