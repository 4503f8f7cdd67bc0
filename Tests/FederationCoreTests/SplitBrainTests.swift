import FederationAPI
import FederationCore
import Foundation
import Testing

/// Split-brain detection and what it tells a person.
struct SplitBrainTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var primary: String? = "a"
        var epoch: Int64 = 4
        let markers: [MemberMarker]
        let findings: [SplitBrain.Finding]
        var highest: Int64 = 4
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "markers agree → none", markers: [Promo.marker("a", "a", 4), Promo.marker("b", "a", 4)], findings: []),
        Case(name: "older markers → none (fencing demotes them)", markers: [Promo.marker("a", "a", 3), Promo.marker("b", "b", 3)], findings: []),
        Case(name: "placeholders → none", primary: nil, epoch: 0, markers: [Promo.placeholder("a"), Promo.placeholder("b")], findings: [], highest: 0),
        Case(name: "marker ahead of the policy", markers: [Promo.marker("b", "b", 6), Promo.marker("a", "a", 4)],
             findings: [.epochAhead(datacenter: "b", epoch: 6, primary: "b")], highest: 6),
        Case(name: "two members claim primary at the policy's epoch", markers: [Promo.marker("a", "a", 4), Promo.marker("b", "b", 4)],
             findings: [.otherPrimaryAtEpoch(datacenter: "b", epoch: 4, primary: "b")]),
        Case(name: "marker at the epoch names another primary", markers: [Promo.marker("c", "b", 4)],
             findings: [.otherPrimaryAtEpoch(datacenter: "c", epoch: 4, primary: "b")]),
        Case(name: "another policy's marker", markers: [Promo.marker("c", "c", 9, policy: "other")],
             findings: [.foreignPolicy(datacenter: "c", policy: "other")]),
        Case(name: "policy without epoch, member at 2", primary: nil, epoch: 0, markers: [Promo.marker("a", "a", 2)],
             findings: [.epochAhead(datacenter: "a", epoch: 2, primary: "a")], highest: 2),
        Case(name: "findings sorted by member; highest is the maximum", markers: [Promo.marker("d", "d", 5), Promo.marker("b", "b", 7)],
             findings: [.epochAhead(datacenter: "b", epoch: 7, primary: "b"), .epochAhead(datacenter: "d", epoch: 5, primary: "d")], highest: 7),
    ]

    @Test(arguments: cases)
    func detection(_ c: Case) {
        let found = Fencing.detectSplitBrain(policy: "global", primary: c.primary, epoch: c.epoch, markers: c.markers)
        #expect(found?.findings ?? [] == c.findings)
        if !c.findings.isEmpty { #expect(found?.highestEpoch == c.highest) }
    }

    @Test func messageSaysWhatAPersonMustDo() throws {
        let found = try #require(Fencing.detectSplitBrain(policy: "global", primary: "a", epoch: 4, markers: [Promo.marker("b", "b", 6)]))
        let message = found.message(policy: "global")
        #expect(message.contains("b holds epoch 6 naming b"))
        #expect(message.contains("Concord stopped promoting"))
        #expect(message.contains("set spec.primary"))
        #expect(message.contains("kubectl annotate federationpolicy global federation.concord.dev/resolve-split-brain=6 --overwrite"))
        #expect(message.contains("epoch 7"))
    }

    @Test func blockedDecisionCarriesTheMessage() {
        let policy = Promo.policy(epoch: 4)
        let members = [Promo.ready("a"), Promo.ready("b"), Promo.ready("c")]
        let decision = planPromotion(
            policy: policy, members: members, markers: [Promo.marker("a", "a", 4), Promo.marker("b", "b", 6)],
            quorum: QuorumView(members: members), now: Promo.at(100))
        guard case .blocked(let reason, let message) = decision else {
            Issue.record("expected blocked, got \(decision)")
            return
        }
        #expect(reason == FederationPolicy.Reason.conflictingPrimaries)
        #expect(message.contains("resolve-split-brain=6"))
        #expect(decision.isSplitBrain)
    }
}
