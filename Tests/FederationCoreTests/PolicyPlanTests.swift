import FederationAPI
import FederationCore
import Foundation
import Testing

/// The plan of one FederationPolicy pass: which effects, in which order.
struct PolicyPlanTests {
    typealias R = FederationPolicy.Reason

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let policy: FederationPolicy
        let members: [MemberView]
        let markers: [MemberMarker]
        /// Plan once first and keep its status, so the case starts from a settled status.
        var settled = false
        var now = 100
        /// The effects, described by ``PolicyPlanTests/describe(_:)``, in order.
        let effects: [String]
        var requeue: PolicyRequeue = .resync
        var testDescription: String { name }
    }

    static func member(_ view: MemberView, role: DatacenterRole?, pull: Bool = false) -> MemberView {
        var view = view
        view.role = role
        view.pull = pull
        view.uid = "uid-\(view.name)"
        return view
    }

    static let cases: [Case] = [
        Case(
            name: "first primary: status with the epoch first, its events, then every marker with its role",
            policy: Promo.policy(status: nil, epoch: nil),
            members: ["a", "b", "c"].map { member(Promo.ready($0), role: nil) },
            markers: ["a", "b", "c"].map { Promo.placeholder($0) },
            effects: [
                "status a@1", "event PrimaryPromoted global", "event Promoted a",
                "marker a := a@1", "role a Primary", "marker b := a@1", "role b Secondary", "marker c := a@1", "role c Secondary",
            ]),
        Case(
            name: "failover: the new primary's marker first; the unreachable former primary gets only its role",
            policy: Promo.policy(),
            members: [member(Promo.unreachable("a"), role: .primary), member(Promo.ready("b", priority: 200), role: .secondary),
                      member(Promo.ready("c"), role: .secondary)],
            markers: [Promo.marker("b", "a", 1), Promo.marker("c", "a", 1)],
            effects: [
                "status b@2", "event PrimaryPromoted global", "event Promoted b",
                "marker b := b@2", "role b Primary", "marker c := b@2", "role a Secondary",
            ]),
        Case(
            name: "planned handover: the new primary holds the epoch before the old one is demoted",
            policy: Promo.policy(spec: "b"),
            members: [member(Promo.ready("a"), role: .primary), member(Promo.ready("b"), role: .secondary), member(Promo.ready("c"), role: .secondary)],
            markers: [Promo.marker("a", "a", 1), Promo.marker("b", "a", 1), Promo.marker("c", "a", 1)],
            effects: [
                "status b@2", "event PrimaryPromoted global", "event Promoted b",
                "marker b := b@2", "role b Primary", "marker a := b@2", "role a Secondary", "event Demoted a", "marker c := b@2",
            ]),
        Case(
            name: "a former primary returning is demoted with a warning",
            policy: Promo.policy(status: "b", epoch: 2),
            members: [member(Promo.ready("a"), role: .primary), member(Promo.ready("b"), role: .primary), member(Promo.ready("c"), role: .secondary)],
            markers: [Promo.marker("a", "a", 1), Promo.marker("b", "b", 2), Promo.marker("c", "b", 2)],
            effects: ["status b@2", "marker a := b@2", "role a Secondary", "event Demoted a"]),
        Case(
            name: "split brain: only the status and its warning; no marker and no role is written",
            policy: Promo.policy(),
            members: [member(Promo.ready("a"), role: .primary), member(Promo.ready("b"), role: .secondary), member(Promo.ready("c"), role: nil)],
            markers: [Promo.marker("a", "a", 1), Promo.marker("b", "b", 1), Promo.placeholder("c")],
            effects: ["status a@1", "event SplitBrainDetected global"]),
        Case(
            name: "settled: nothing to do",
            policy: Promo.policy(),
            members: [member(Promo.ready("a"), role: .primary), member(Promo.ready("b"), role: .secondary)],
            markers: [Promo.marker("a", "a", 1), Promo.marker("b", "a", 1)], settled: true,
            effects: []),
        Case(
            name: "the marker of a member the probes do not reach is ignored, even when it was read",
            policy: Promo.policy(),
            members: [member(Promo.ready("a"), role: .primary), member(Promo.ready("b"), role: .secondary), member(Promo.suspect("c"), role: .secondary)],
            markers: [Promo.marker("a", "a", 1), Promo.marker("b", "a", 1), Promo.placeholder("c")], settled: true,
            effects: []),
        Case(
            name: "a Pull member gets no marker write (its agent writes it) but gets its role",
            policy: Promo.policy(),
            members: [member(Promo.ready("a"), role: .primary), member(Promo.ready("p"), role: nil, pull: true)],
            markers: [Promo.marker("a", "a", 1), MemberMarker(datacenter: "p", marker: FencingMarker(policy: "", primary: "", epoch: 0), resourceVersion: nil)],
            effects: ["status a@1", "role p Secondary"]),
        Case(
            name: "the primary's wait for unreachableForSeconds requeues at its end",
            policy: Promo.policy(),
            members: [member(Promo.unreachable("a", since: 90), role: .primary), member(Promo.ready("b"), role: .secondary),
                      member(Promo.ready("c"), role: .secondary)],
            markers: [Promo.marker("b", "a", 1), Promo.marker("c", "a", 1)],
            effects: ["status a@1"], requeue: .at(Promo.at(120))),
        Case(
            name: "a blocked promotion warns once",
            policy: Promo.policy(mode: .manual),
            members: [member(Promo.unreachable("a"), role: .primary), member(Promo.ready("b"), role: .secondary)],
            markers: [Promo.marker("b", "a", 1)],
            effects: ["status a@1", "event PromotionBlocked global"]),
    ]

    static func describe(_ effect: PolicyEffect) -> String {
        switch effect {
        case .writeStatus(let status): "status \(status.primary ?? "-")@\(status.epoch ?? 0)"
        case .writeMarker(let write): "marker \(write.datacenter) := \(write.marker.primary)@\(write.marker.epoch)"
        case .setRole(let datacenter, let role): "role \(datacenter) \(role.rawValue)"
        case .record(let event): "event \(event.reason) \(event.regarding.name ?? "")"
        }
    }

    static func plan(_ c: Case) -> PolicyPlan {
        var policy = c.policy
        if c.settled { policy.status = planPolicy(policy: policy, members: c.members, markers: c.markers, now: Promo.at(c.now)).status }
        return planPolicy(policy: policy, members: c.members, markers: c.markers, now: Promo.at(c.now))
    }

    @Test(arguments: cases)
    func effectsRunInTheProtocolOrder(_ c: Case) {
        let plan = Self.plan(c)
        #expect(plan.effects.map(Self.describe) == c.effects)
        #expect(plan.requeue == c.requeue)
    }

    @Test(arguments: cases)
    func thePlanWrapsTheDecisionAndTheStatusBuilder(_ c: Case) {
        let plan = Self.plan(c)
        let markers = c.markers.filter { m in c.members.contains { $0.name == m.datacenter && $0.reachable } }
        var policy = c.policy
        if c.settled { policy.status = plan.status }
        let decision = planPromotion(policy: policy, members: c.members, markers: markers, quorum: QuorumView(members: c.members), now: Promo.at(c.now))
        #expect(plan.decision == decision)
        #expect(plan.status == FederationPolicyStatusBuilder.build(policy: policy, members: c.members, markers: markers, decision: decision, now: Promo.at(c.now)))
        if case .writeStatus(let status) = plan.effects.first { #expect(status == plan.status) }
        #expect(plan.effects.dropFirst().allSatisfy { if case .writeStatus = $0 { false } else { true } })
    }

    @Test func aPlanRunToTheEndLeavesNothingToDo() {
        let c = Self.cases[0]
        let first = Self.plan(c)
        var policy = c.policy
        policy.status = first.status
        let markers = first.markerWrites.map { MemberMarker(datacenter: $0.datacenter, marker: $0.marker, resourceVersion: "9") }
        let members = c.members.map { view in Self.member(view, role: Fencing.role(of: view.name, primary: "a")) }
        let second = planPolicy(policy: policy, members: members, markers: markers, now: Promo.at(c.now + 1))
        // Only the conditions move on (Promoting turns False once every marker holds the epoch).
        #expect(second.effects.map(Self.describe) == ["status a@1"])
        policy.status = second.status
        let third = planPolicy(policy: policy, members: members, markers: markers, now: Promo.at(c.now + 2))
        #expect(third.effects.map(Self.describe) == [])
    }

    @Test func eventsAboutAMemberCarryItsUid() throws {
        let plan = Self.plan(Self.cases[1])
        let promoted = try #require(plan.effects.compactMap { if case .record(let e) = $0, e.reason == "Promoted" { e } else { nil } }.first)
        #expect(promoted.regarding.uid == "uid-b")
        #expect(promoted.regarding.kind == Datacenter.kind)
        #expect(promoted.related?.name == "global")
    }

    @Test func markersAreReadOnlyFromMembersTheProbesReach() {
        let members = [Promo.ready("a"), Promo.suspect("b"), Promo.unreachable("c"), Promo.pending("d")]
        #expect(PolicyPlan.markerReads(among: members) == ["a", "d"])
    }

    @Test func injectedRulesReplaceTheRealOnes() {
        let c = Self.cases[2]
        let plan = planPolicy(
            policy: c.policy, members: c.members, markers: c.markers, now: Promo.at(c.now),
            fencing: { _, _, _, _ in FencingPlan(writes: []) })
        #expect(plan.effects.map(Self.describe) == [
            "status b@2", "event PrimaryPromoted global", "event Promoted b", "role a Secondary", "role b Primary",
        ])
    }
}
