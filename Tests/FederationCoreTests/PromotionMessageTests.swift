import FederationAPI
import FederationCore
import Foundation
import Testing

/// The messages of blocked and wait decisions tell a person what is happening and what to do.
struct PromotionMessageTests {
    static let members = [Promo.unreachable("a", since: 60), Promo.ready("b"), Promo.ready("c", cordoned: true), Promo.unreachable("d")]

    static func message(_ policy: FederationPolicy, _ members: [MemberView], now: Int = 100) -> String {
        let decision = planPromotion(
            policy: policy, members: members, markers: Promo.currentMarkers(policy, members), quorum: QuorumView(members: members),
            now: Promo.at(now))
        switch decision {
        case .blocked(_, let message), .wait(_, _, let message): return message
        default: return "\(decision)"
        }
    }

    @Test func quorumLostSaysHowManyAreReachedAndNeeded() {
        let message = Self.message(Promo.policy(), Self.members)
        #expect(message.contains("reaches 2 of 4 members"))
        #expect(message.contains("needs a majority (3)"))
        #expect(message.contains("requireQuorum"))
    }

    @Test func noEligibleCandidateSaysWhyEachMemberIsOut() {
        let message = Self.message(Promo.policy(requireQuorum: false), [Promo.unreachable("a", since: 60), Promo.ready("c", cordoned: true), Promo.unreachable("d")])
        #expect(message.contains("c cordoned"))
        #expect(message.contains("d Unreachable"))
    }

    @Test func manualModeNamesTheBestCandidates() {
        let members = [Promo.unreachable("a", since: 60), Promo.ready("b", latency: 50), Promo.ready("c", latency: 5)]
        let message = Self.message(Promo.policy(mode: .manual), members)
        #expect(message.contains("promotion.mode is Manual"))
        #expect(message.contains("set spec.primary to promote one of: c, b"))
    }

    @Test func countdownSaysWhoAndWhen() {
        let members = [Promo.unreachable("a", since: 90), Promo.ready("b"), Promo.ready("c")]
        let message = Self.message(Promo.policy(), members)
        #expect(message.contains("Unreachable since \(KubeTime(Promo.at(90)))"))
        #expect(message.contains("promoting b at \(KubeTime(Promo.at(120)))"))
    }

    @Test func countdownMessageIsStableBetweenPasses() {
        let members = [Promo.unreachable("a", since: 90), Promo.ready("b"), Promo.ready("c")]
        #expect(Self.message(Promo.policy(), members, now: 100) == Self.message(Promo.policy(), members, now: 111))
    }
}
