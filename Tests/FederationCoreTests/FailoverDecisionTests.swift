import FederationAPI
import FederationCore
import Foundation
import Testing

/// The ServiceFailover decisions: when to leave the active datacenter, where to go, when to come back.
struct FailoverDecisionTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static func at(_ s: TimeInterval) -> Date { t0.addingTimeInterval(s) }
    static let defaults = FailoverPolicy().withDefaults
    /// The trigger cases use a 5 s wait.
    static let fiveSeconds = FailoverPolicy(unhealthyForSeconds: 5).withDefaults

    struct TriggerCase: Sendable, CustomTestStringConvertible {
        var name: String
        var site: SiteHealth
        var now: TimeInterval
        var expected: FailoverTrigger
        var testDescription: String { name }
    }

    static let triggerCases: [TriggerCase] = [
        TriggerCase(name: "ready with replicas", site: SiteHealth(name: "a", phase: .ready, readyReplicas: 3), now: 100, expected: .healthy),
        TriggerCase(name: "suspect (a lost probe or a short freeze) never fails over",
                    site: SiteHealth(name: "a", phase: .suspect, unhealthySince: at(0), readyReplicas: 3), now: 100, expected: .healthy),
        TriggerCase(name: "unreachable, counted from the first failed probe",
                    site: SiteHealth(name: "a", phase: .unreachable, unhealthySince: at(0)), now: 3,
                    expected: .waiting(reason: .datacenterUnreachable, since: at(0), remaining: 2)),
        TriggerCase(name: "unreachable for unhealthyForSeconds",
                    site: SiteHealth(name: "a", phase: .unreachable, unhealthySince: at(0)), now: 5,
                    expected: .failOver(reason: .datacenterUnreachable, since: at(0))),
        TriggerCase(name: "too few ready replicas, waiting",
                    site: SiteHealth(name: "a", phase: .ready, readyReplicas: 0, unavailableSince: at(10)), now: 12,
                    expected: .waiting(reason: .replicasUnavailable, since: at(10), remaining: 3)),
        TriggerCase(name: "too few ready replicas for long enough",
                    site: SiteHealth(name: "a", phase: .ready, readyReplicas: 0, unavailableSince: at(10)), now: 15,
                    expected: .failOver(reason: .replicasUnavailable, since: at(10))),
        TriggerCase(name: "replicas lost before the datacenter became unreachable: counted from then",
                    site: SiteHealth(name: "a", phase: .unreachable, unhealthySince: at(8), readyReplicas: 0, unavailableSince: at(2)), now: 7,
                    expected: .failOver(reason: .datacenterUnreachable, since: at(2))),
        TriggerCase(name: "replicas unknown is not a failure", site: SiteHealth(name: "a", phase: .ready), now: 100, expected: .healthy),
        TriggerCase(name: "pending is not a failure", site: SiteHealth(name: "a", phase: .pending), now: 100, expected: .healthy),
    ]

    @Test(arguments: triggerCases) func trigger(_ c: TriggerCase) {
        #expect(FailoverTrigger.evaluate(active: c.site, policy: Self.fiveSeconds, now: Self.at(c.now)) == c.expected)
    }

    @Test func theFirstFittingTargetInOrderIsChosen() {
        let sites = [
            "us-east": SiteHealth(name: "us-east", phase: .unreachable),
            "us-west": SiteHealth(name: "us-west", phase: .ready, unschedulable: true),
            "eu-central": SiteHealth(name: "eu-central", phase: .ready, capacityReplicas: 4, placedReplicas: 2),
            "ap-south": SiteHealth(name: "ap-south", phase: .ready, capacityReplicas: 10, placedReplicas: 2),
        ]
        let targets = [
            FailoverTarget(datacenter: "us-west", replicas: 3), FailoverTarget(datacenter: "eu-central", replicas: 3),
            FailoverTarget(datacenter: "ap-south"),
        ]
        #expect(FailoverFit.choose(from: targets, leaving: "us-east", sites: sites, defaultReplicas: 5) == .target(datacenter: "ap-south", replicas: 5))
        let fits = FailoverFit.choose(from: [FailoverTarget(datacenter: "eu-central", replicas: 2)], leaving: "us-east", sites: sites, defaultReplicas: 5)
        #expect(fits == .target(datacenter: "eu-central", replicas: 2))
    }

    @Test func nothingFitsEvictsNothingAndSaysWhyForEachCandidate() {
        let sites = [
            "us-west": SiteHealth(name: "us-west", phase: .ready, unschedulable: true),
            "eu-central": SiteHealth(name: "eu-central", phase: .ready, capacityReplicas: 4, placedReplicas: 2),
            "ap-south": SiteHealth(name: "ap-south", phase: .suspect),
        ]
        let targets = [
            FailoverTarget(datacenter: "us-west"), FailoverTarget(datacenter: "eu-central", replicas: 3),
            FailoverTarget(datacenter: "ap-south"), FailoverTarget(datacenter: "nowhere"), FailoverTarget(datacenter: "us-east"),
        ]
        let fit = FailoverFit.choose(from: targets, leaving: "us-east", sites: sites, defaultReplicas: 3)
        #expect(fit == .blocked(reasons: [
            "us-west: cordoned (spec.unschedulable)", "eu-central: needs 3 replicas, 2 of capacity 4 free", "ap-south: Suspect",
            "nowhere: no such Datacenter",
        ]))
        #expect(fit.message?.hasPrefix("no failover datacenter fits, nothing was moved: us-west: cordoned") == true)
        #expect(FailoverFit.choose(from: [], leaving: "us-east", sites: sites, defaultReplicas: 3).message
            == "no failover datacenter fits, nothing was moved: no failover datacenter other than us-east")
    }

    @Test func failbackWaitsForAStableWindowAndAFlapRestartsIt() {
        var automatic = Self.defaults
        automatic.failback = .automatic
        let stable = SiteHealth(name: "us-east", phase: .ready, readySince: Self.at(0))
        #expect(FailbackDecision.evaluate(primary: stable, policy: automatic, requested: false, now: Self.at(119)) == .stabilizing(remaining: 1))
        #expect(FailbackDecision.evaluate(primary: stable, policy: automatic, requested: false, now: Self.at(120)) == .failBack)
        // It flapped at 100 s: the window starts again from its return.
        let flapped = SiteHealth(name: "us-east", phase: .ready, readySince: Self.at(100))
        #expect(FailbackDecision.evaluate(primary: flapped, policy: automatic, requested: false, now: Self.at(130)) == .stabilizing(remaining: 90))
        let down = SiteHealth(name: "us-east", phase: .unreachable, readySince: nil)
        #expect(FailbackDecision.evaluate(primary: down, policy: automatic, requested: true, now: Self.at(500)) == .primaryUnhealthy)
    }

    @Test func manualFailbackWaitsForTheRequest() {
        let stable = SiteHealth(name: "us-east", phase: .ready, readySince: Self.at(0))
        #expect(FailbackDecision.evaluate(primary: stable, policy: Self.defaults, requested: false, now: Self.at(10_000)) == .awaitingRequest)
        #expect(FailbackDecision.evaluate(primary: stable, policy: Self.defaults, requested: true, now: Self.at(1)) == .failBack)
    }
}
