import FederationAPI
import FederationCore
import Foundation
import Testing

/// Reading members, quorum and candidate order from Datacenters.
struct MemberViewTests {
    static func datacenter(_ name: String, labels: [String: String]? = nil, priority: Int? = nil, cordoned: Bool? = nil,
                           probes: [ProbeResult], deleting: Bool = false) -> Datacenter {
        var meta = ObjectMeta(name: name, generation: 1, labels: labels)
        if deleting { meta.deletionTimestamp = KubeTime(Promo.at(0)) }
        return Datacenter(
            metadata: meta, spec: DatacenterSpec(region: "r", priority: priority, unschedulable: cordoned),
            status: Health.run(probes).last)
    }

    @Test func unreachableSinceIsWhenReadyTurnedFalse() throws {
        // ok ok (Ready at 1), then failures at 2, 3, 4: Suspect at 2, Unreachable at 4.
        let dc = Self.datacenter("a", probes: [Health.ok, Health.ok, Health.refused, Health.refused, Health.refused, Health.refused])
        let view = MemberView(dc)
        #expect(view.phase == .unreachable)
        #expect(!view.reachable)
        #expect(view.unreachableSince == Health.at(4))
        #expect(view.readySince == nil)
    }

    @Test func readySinceIsWhenReadyTurnedTrueAndSurvivesSuspect() throws {
        let probes = [Health.ok, Health.ok] + Health.repeated(Health.refused, 3) + [Health.ok, Health.ok, Health.refused, Health.ok, Health.ok]
        let view = MemberView(Self.datacenter("a", probes: probes))
        #expect(view.phase == .ready)
        #expect(view.reachable)
        #expect(view.readySince == Health.at(6))
        #expect(view.unreachableSince == nil)
    }

    @Test func specFieldsWithDefaults() {
        let view = MemberView(Self.datacenter("a", priority: 5000, cordoned: true, probes: [Health.ok]))
        #expect(view.priority == 1000)
        #expect(view.unschedulable)
        #expect(view.phase == .pending)
        #expect(view.latencyMilliseconds == 3)
        #expect(MemberView(Datacenter(metadata: ObjectMeta(name: "n"), spec: DatacenterSpec(region: "r"))).phase == .pending)
    }

    @Test func membersFollowTheSelectorSkipDeletionAndSortByName() {
        var policy = Promo.policy()
        policy.spec.datacenterSelector = LabelSelector(matchLabels: ["geo": "eu"])
        let dcs = [
            Self.datacenter("z", labels: ["geo": "eu"], probes: [Health.ok]),
            Self.datacenter("b", labels: ["geo": "us"], probes: [Health.ok]),
            Self.datacenter("m", labels: ["geo": "eu"], probes: [Health.ok]),
            Self.datacenter("d", labels: ["geo": "eu"], probes: [Health.ok], deleting: true),
        ]
        #expect(MemberView.members(of: policy, among: dcs).map(\.name) == ["m", "z"])
        policy.spec.datacenterSelector = nil
        #expect(MemberView.members(of: policy, among: dcs).map(\.name) == ["b", "m", "z"])
    }

    @Test func onlyChangesAPlanReadsWakeAPolicy() {
        let ready = Self.datacenter("a", labels: ["geo": "eu"], probes: [Health.ok, Health.ok, Health.ok])
        var refreshed = ready
        refreshed.status?.latencyMilliseconds = 250
        refreshed.status?.lastProbeTime = KubeTime(Health.at(9))
        refreshed.status?.consecutiveSuccesses = 9
        refreshed.metadata.resourceVersion = "99"
        #expect(!MemberView.planInputsChanged(from: ready, to: refreshed), "latency and probe-time refreshes change no plan")

        var relabelled = ready
        relabelled.metadata.labels = ["geo": "us"]
        #expect(MemberView.planInputsChanged(from: ready, to: relabelled))
        var reported = ready
        reported.metadata.annotations = ["federation.concord.dev/marker": "global/us-east/1"]
        #expect(MemberView.planInputsChanged(from: ready, to: reported), "a Pull agent's marker report")
        var cordoned = ready
        cordoned.spec.unschedulable = true
        #expect(MemberView.planInputsChanged(from: ready, to: cordoned))
        var promoted = ready
        promoted.status?.role = .primary
        #expect(MemberView.planInputsChanged(from: ready, to: promoted))
        let lost = Self.datacenter("a", labels: ["geo": "eu"], probes: [Health.ok, Health.ok, Health.ok] + Health.repeated(Health.refused, 4))
        #expect(MemberView.planInputsChanged(from: ready, to: lost))
        let deleting = Self.datacenter("a", labels: ["geo": "eu"], probes: [Health.ok, Health.ok, Health.ok], deleting: true)
        #expect(MemberView.planInputsChanged(from: ready, to: deleting))
    }

    struct QuorumCase: Sendable, CustomTestStringConvertible {
        let members: Int, reachable: Int, majority: Bool
        var testDescription: String { "\(reachable) of \(members) → \(majority ? "majority" : "no majority")" }
    }

    @Test(arguments: [
        QuorumCase(members: 0, reachable: 0, majority: false), QuorumCase(members: 1, reachable: 1, majority: true),
        QuorumCase(members: 2, reachable: 1, majority: false), QuorumCase(members: 2, reachable: 2, majority: true),
        QuorumCase(members: 3, reachable: 2, majority: true), QuorumCase(members: 4, reachable: 2, majority: false),
        QuorumCase(members: 10, reachable: 5, majority: false), QuorumCase(members: 10, reachable: 6, majority: true),
    ])
    func strictMajority(_ c: QuorumCase) {
        #expect(QuorumView(members: c.members, reachable: c.reachable).hasMajority == c.majority)
    }

    @Test func quorumCountsMembersWhoseLatestProbeSucceeded() {
        let members = [Promo.ready("a"), Promo.suspect("b"), Promo.unreachable("c"), Promo.pending("d")]
        #expect(QuorumView(members: members) == QuorumView(members: 4, reachable: 2))
    }

    @Test func theMajorityHoldsSinceItsLastNeededMemberBecameReachable() {
        let members = [Promo.ready("a", reachableSince: 50), Promo.ready("b", reachableSince: 10), Promo.ready("c", reachableSince: 30),
                       Promo.unreachable("d"), Promo.unreachable("e")]
        // 5 members need 3: the third earliest reachableSince among a, b, c.
        #expect(QuorumView(members: members).majoritySince == Promo.at(50))
        // 4 members need 3 as well; 3 members need 2: the second earliest.
        #expect(QuorumView(members: Array(members.prefix(4))).majoritySince == Promo.at(50))
        #expect(QuorumView(members: Array(members.prefix(3))).majoritySince == Promo.at(30))
        #expect(QuorumView(members: [Promo.ready("a", reachableSince: 50), Promo.unreachable("b"), Promo.unreachable("c")]).majoritySince == nil)
        // Members without a known time have been reachable for ever.
        #expect(QuorumView(members: [Promo.ready("a"), Promo.ready("b"), Promo.unreachable("c")]).majoritySince == nil)
        #expect(QuorumView(members: [Promo.ready("a"), Promo.ready("b", reachableSince: 70), Promo.unreachable("c")]).majoritySince == Promo.at(70))
    }

    @Test func reachableSinceIsReadFromTheReachableCondition() throws {
        let t = KubeTime(Promo.at(42))
        let status = DatacenterStatus(phase: .ready, conditions: [
            Condition(type: Datacenter.ConditionType.reachable, status: .true, lastTransitionTime: t, reason: "ProbeSucceeded", message: ""),
        ])
        #expect(MemberView(name: "a", spec: DatacenterSpec(region: "r"), status: status).reachableSince == t.date)
        var down = status
        down.conditions = [Condition(type: Datacenter.ConditionType.reachable, status: .false, lastTransitionTime: t, reason: "ProbeFailed", message: "")]
        #expect(MemberView(name: "a", spec: DatacenterSpec(region: "r"), status: down).reachableSince == nil)
    }

    @Test func rankingSkipsTheExcludedAndIneligible() {
        let members = [Promo.ready("a", priority: 900), Promo.ready("b", latency: 40), Promo.ready("c", priority: 300, cordoned: true),
                       Promo.suspect("d", priority: 999), Promo.ready("e", latency: 4), Promo.unreachable("f", priority: 1000)]
        #expect(CandidateRanking.rank(members, candidates: [], excluding: "a").map(\.name) == ["e", "b"])
        #expect(CandidateRanking.rank(members, candidates: [], excluding: nil).map(\.name) == ["a", "e", "b"])
        #expect(CandidateRanking.rank(members, candidates: ["b", "f", "b", "a"], excluding: nil).map(\.name) == ["b", "a"])
        #expect(CandidateRanking.ineligibility(of: members[2], candidates: []) == "cordoned")
        #expect(CandidateRanking.ineligibility(of: members[3], candidates: []) == "Suspect")
        #expect(CandidateRanking.ineligibility(of: members[4], candidates: ["b"]) == "not in promotion.candidates")
    }
}
