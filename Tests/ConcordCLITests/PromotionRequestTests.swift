import FederationAPI
import FederationCore
import Foundation
import Testing

@testable import ConcordCLI

/// `concord datacenter promote NAME`: what it writes, what it refuses, and when it is done.
struct PromotionRequestTests {
    typealias R = FederationPolicy.Reason

    static func dc(_ name: String, phase: DatacenterPhase = .ready, cordoned: Bool = false, labels: [String: String]? = nil) -> Datacenter {
        Datacenter(
            metadata: ObjectMeta(name: name, labels: labels),
            spec: DatacenterSpec(region: "\(name)-1", unschedulable: cordoned ? true : nil),
            status: DatacenterStatus(phase: phase))
    }

    static func policy(
        _ name: String = "global", spec primary: String = "a", inForce: String? = "a", epoch: Int64 = 1,
        selector: LabelSelector? = nil, last: PromotionRecord? = nil
    ) -> FederationPolicy {
        FederationPolicy(
            metadata: ObjectMeta(name: name, generation: 1),
            spec: FederationPolicySpec(datacenterSelector: selector, primary: primary),
            status: FederationPolicyStatus(primary: inForce, epoch: epoch, lastPromotion: last, history: last.map { [$0] } ?? []))
    }

    static let three = [dc("a"), dc("b"), dc("c")]

    @Test func anotherMemberIsAPlannedHandoverThroughSpecPrimary() throws {
        let request = try PromotionRequest.decide(promote: "b", policy: nil, datacenters: Self.three, policies: [Self.policy()])
        #expect(request == .setPrimary(policy: "global", from: "a", epoch: 1))
        #expect(request.patch(promoting: "b", now: Date()) == ["spec": ["primary": "b"]])
    }

    @Test func thePrimaryInForceNeedsNoWriteUnlessSpecNamesAnother() throws {
        let same = try PromotionRequest.decide(promote: "a", policy: nil, datacenters: Self.three, policies: [Self.policy()])
        #expect(same == .alreadyPrimary(policy: "global", epoch: 1, alignSpec: false))
        #expect(same.patch(promoting: "a", now: Date()) == nil)
        // After a failover to b, spec.primary still says a: promoting b aligns the spec.
        let failedOver = Self.policy(spec: "a", inForce: "b", epoch: 2)
        let aligned = try PromotionRequest.decide(promote: "b", policy: nil, datacenters: Self.three, policies: [failedOver])
        #expect(aligned == .alreadyPrimary(policy: "global", epoch: 2, alignSpec: true))
        #expect(aligned.patch(promoting: "b", now: Date()) == ["spec": ["primary": "b"]])
    }

    @Test func promotingSpecPrimaryAfterAFailoverRequestsTheFailbackAfterTheLastPromotion() throws {
        let promotedAt = Date(timeIntervalSince1970: 1_800_000_000)
        let record = PromotionRecord(from: "a", to: "b", epoch: 2, reason: R.primaryUnreachable, time: KubeTime(promotedAt))
        let policy = Self.policy(spec: "a", inForce: "b", epoch: 2, last: record)
        let request = try PromotionRequest.decide(promote: "a", policy: nil, datacenters: Self.three, policies: [policy])
        #expect(request == .requestFailback(policy: "global", from: "b", epoch: 2, lastPromotion: promotedAt))
        let later = promotedAt.addingTimeInterval(60)
        #expect(request.patch(promoting: "a", now: later)
            == ["metadata": ["annotations": [PromotionAnnotation.failbackRequestedAt: .string(KubeTime(later).description)]]])
        // A clock at (or behind) the promotion's second still asks strictly after it.
        let patch = try #require(request.patch(promoting: "a", now: promotedAt))
        let text = try #require(patch["metadata"]?["annotations"]?[PromotionAnnotation.failbackRequestedAt]?.stringValue)
        #expect(try #require(KubeTime(rfc3339: text)) > KubeTime(promotedAt))
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let promote: String
        var policyFlag: String? = nil
        var datacenters = PromotionRequestTests.three
        var policies = [PromotionRequestTests.policy()]
        let says: String
        var testDescription: String { name }
    }

    @Test(arguments: [
        Refusal(name: "unknown datacenter", promote: "x", says: "datacenter \"x\" not found"),
        Refusal(name: "cordoned", promote: "b", datacenters: [dc("a"), dc("b", cordoned: true)], says: "concord datacenter uncordon b"),
        Refusal(name: "Unreachable", promote: "b", datacenters: [dc("a"), dc("b", phase: .unreachable)], says: "b is Unreachable"),
        Refusal(name: "Suspect", promote: "b", datacenters: [dc("a"), dc("b", phase: .suspect)], says: "only a Ready datacenter"),
        Refusal(name: "no policy", promote: "b", policies: [], says: "not a member of any FederationPolicy"),
        Refusal(name: "not selected", promote: "b", datacenters: [dc("a", labels: ["geo": "us"]), dc("b")],
                policies: [policy(selector: LabelSelector(matchLabels: ["geo": "us"]))], says: "not a member of any FederationPolicy"),
        Refusal(name: "several policies", promote: "b", policies: [policy("one"), policy("two")], says: "choose one with --policy"),
        Refusal(name: "--policy unknown", promote: "b", policyFlag: "nope", says: "federationpolicy \"nope\" not found"),
        Refusal(name: "--policy that doesn't select it", promote: "b", policyFlag: "us", datacenters: [dc("a", labels: ["geo": "us"]), dc("b")],
                policies: [policy("us", selector: LabelSelector(matchLabels: ["geo": "us"])), policy("all")], says: "not a member of federationpolicy us"),
    ])
    func refusesWithAOneLineFix(_ r: Refusal) {
        #expect {
            _ = try PromotionRequest.decide(promote: r.promote, policy: r.policyFlag, datacenters: r.datacenters, policies: r.policies)
        } throws: { error in
            "\(error)".contains(r.says) && !"\(error)".contains("\n")
        }
    }

    @Test func policyFlagPicksAmongSeveral() throws {
        let request = try PromotionRequest.decide(promote: "b", policy: "two", datacenters: Self.three, policies: [Self.policy("one"), Self.policy("two")])
        #expect(request.policy == "two")
    }

    static func condition(_ type: String, _ status: ConditionStatus, _ reason: String, generation: Int64 = 1) -> Condition {
        Condition(type: type, status: status, observedGeneration: generation, lastTransitionTime: KubeTime(Date()), reason: reason, message: "m")
    }

    static func observed(primary: String, epoch: Int64, promoting: ConditionStatus, ready: (ConditionStatus, String), rv: String) -> FederationPolicy {
        var p = policy(spec: "b", inForce: primary, epoch: epoch)
        p.metadata.resourceVersion = rv
        p.status?.conditions = [
            condition(FederationPolicy.ConditionType.promoting, promoting, promoting == .true ? R.raisingEpoch : R.idle),
            condition(FederationPolicy.ConditionType.ready, ready.0, ready.1),
        ]
        return p
    }

    @Test func progressIsDoneOnlyWhenTheNewEpochReachedEveryReachableMember() {
        let writing = Self.observed(primary: "b", epoch: 2, promoting: .true, ready: (.false, R.raisingEpoch), rv: "11")
        #expect(PromotionProgress.evaluate(writing, promoting: "b", above: 1, requestVersion: "10") == .pending)
        let done = Self.observed(primary: "b", epoch: 2, promoting: .false, ready: (.true, R.primaryReady), rv: "12")
        #expect(PromotionProgress.evaluate(done, promoting: "b", above: 1, requestVersion: "10") == .done(epoch: 2))
        let notYet = Self.observed(primary: "a", epoch: 1, promoting: .false, ready: (.true, R.primaryReady), rv: "10")
        #expect(PromotionProgress.evaluate(notYet, promoting: "b", above: 1, requestVersion: "10") == .pending)
    }

    @Test func progressReportsABlockOnlyOnceTheControllerAnsweredTheRequest() {
        let stale = Self.observed(primary: "a", epoch: 1, promoting: .false, ready: (.false, R.quorumLost), rv: "10")
        #expect(PromotionProgress.evaluate(stale, promoting: "b", above: 1, requestVersion: "10") == .pending)
        let answered = Self.observed(primary: "a", epoch: 1, promoting: .false, ready: (.false, R.quorumLost), rv: "11")
        #expect(PromotionProgress.evaluate(answered, promoting: "b", above: 1, requestVersion: "10") == .blocked(reason: R.quorumLost, message: "m"))
        let waiting = Self.observed(primary: "a", epoch: 1, promoting: .false, ready: (.false, R.stabilizing), rv: "11")
        #expect(PromotionProgress.evaluate(waiting, promoting: "b", above: 1, requestVersion: "10") == .pending)
    }

    @Test func datacenterCommandParsesItsSubcommands() throws {
        let promote = try DatacenterCommand.Promote.parse(["us-west", "--policy", "global", "--timeout", "90s", "--kubeconfig", "k"])
        #expect(promote.name == "us-west")
        #expect(promote.policy == "global")
        #expect(promote.timeout.value == .seconds(90))
        #expect(!promote.noWait)
        #expect(try DatacenterCommand.Cordon.parse(["eu-central"]).name == "eu-central")
        #expect(try DatacenterCommand.Uncordon.parse(["eu-central"]).name == "eu-central")
        #expect(DatacenterCommand.configuration.aliases == ["dc"])
    }
}
