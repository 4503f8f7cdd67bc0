import FederationAPI
import FederationCore
import Foundation
import Testing

@testable import ConcordCLI

/// `concord plan` runs the policy controller's planning function on what it read, under assumptions.
struct PlanTests {
    private static let start = Date(timeIntervalSince1970: 1_800_000_000)
    private static let now = start.addingTimeInterval(600)

    /// A Ready, reachable Datacenter since `start`, with role `role`.
    private static func datacenter(_ name: String, priority: Int, role: DatacenterRole, reachableAt: Date = start) -> Datacenter {
        let t = KubeTime(start)
        return Datacenter(
            metadata: ObjectMeta(name: name),
            spec: DatacenterSpec(region: name, credentialsRef: SecretKeyReference(name: "\(name)-kubeconfig"), priority: priority),
            status: DatacenterStatus(
                phase: .ready, role: role,
                conditions: [
                    Condition(type: Datacenter.ConditionType.ready, status: .true, lastTransitionTime: t, reason: "Healthy"),
                    Condition(type: Datacenter.ConditionType.reachable, status: .true, lastTransitionTime: KubeTime(reachableAt), reason: "ProbeSucceeded"),
                ]))
    }

    /// A federation of three at epoch 1, us-east primary, every marker in place: the controller's steady state.
    private static func inputs(othersReachableAt: Date = start) -> PlanInputs {
        let datacenters = [
            datacenter("us-east", priority: 100, role: .primary),
            datacenter("us-west", priority: 90, role: .secondary, reachableAt: othersReachableAt),
            datacenter("eu-central", priority: 80, role: .secondary, reachableAt: othersReachableAt),
        ]
        var policy = FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(primary: "us-east"))
        let views = MemberView.members(of: policy, among: datacenters)
        let markers = views.map { v in
            MemberMarker(datacenter: v.name, marker: FencingMarker(policy: "global", primary: "us-east", epoch: 1), resourceVersion: "1")
        }
        // The status the controller writes for that state.
        policy.status = FederationPolicyStatus(primary: "us-east", epoch: 1)
        policy.status = planPolicy(policy: policy, members: views, markers: markers, now: now).status
        return PlanInputs(
            policies: [policy], datacenters: datacenters, markers: Dictionary(uniqueKeysWithValues: markers.map { ($0.datacenter, $0) }), unreadable: [:])
    }

    @Test func theSteadyStatePlansNothing() throws {
        let report = try #require(PlanCommand.plan(Self.inputs(), unreachable: [], cordoned: [], now: Self.now).first)
        #expect(report.decision == "stay")
        #expect(report.primary == "us-east" && report.epoch == 1)
        #expect(!report.statusChanges && report.markerWrites.isEmpty && report.roleChanges.isEmpty && report.events.isEmpty)
        #expect(report.text.contains("would write nothing"))
    }

    @Test func aLostPrimaryIsReplacedByTheBestCandidateAndEveryReachableMemberIsFenced() throws {
        let report = try #require(PlanCommand.plan(Self.inputs(), unreachable: ["us-east"], cordoned: [], now: Self.now).first)
        #expect(report.decision == "promote(PrimaryUnreachable)")
        #expect(report.plannedPrimary == "us-west" && report.plannedEpoch == 2)
        // The new primary's marker first, then the others'.
        #expect(report.markerWrites == [
            .init(datacenter: "us-west", role: "Primary", primary: "us-west", epoch: 2),
            .init(datacenter: "eu-central", role: "Secondary", primary: "us-west", epoch: 2),
        ])
        #expect(report.roleChanges.contains(.init(datacenter: "us-west", role: "Primary")))
        #expect(report.events.map(\.reason).contains("PrimaryPromoted"))
    }

    @Test func aCordonedCandidateIsPassedOver() throws {
        let report = try #require(PlanCommand.plan(Self.inputs(), unreachable: ["us-east"], cordoned: ["us-west"], now: Self.now).first)
        #expect(report.plannedPrimary == "eu-central" && report.plannedEpoch == 2)
    }

    @Test func losingTheMajorityBlocksThePromotion() throws {
        let report = try #require(PlanCommand.plan(Self.inputs(), unreachable: ["us-east", "us-west"], cordoned: [], now: Self.now).first)
        #expect(report.decision == "blocked(QuorumLost)")
        #expect(report.plannedPrimary == "us-east" && report.markerWrites.isEmpty)
        #expect(report.events.map(\.reason) == ["PromotionBlocked"])
    }

    @Test func aPrimaryLostJustNowIsPlannedAtTheEndOfTheControllersWait() throws {
        // us-west and eu-central became reachable only 5 s ago: the window restarts when the majority returns.
        let inputs = Self.inputs(othersReachableAt: Self.now.addingTimeInterval(-5))
        let report = try #require(PlanCommand.plan(inputs, unreachable: ["us-east"], cordoned: [], now: Self.now).first)
        #expect(report.decision == "promote(PrimaryUnreachable)")
        let at = try #require(report.plannedAt)
        #expect(at > Self.now)
    }

    @Test func assumptionsAreCommaSeparatedNames() {
        #expect(PlanCommand.names("us-east, us-west,,") == ["us-east", "us-west"])
        #expect(PlanCommand.names(nil).isEmpty)
    }
}
