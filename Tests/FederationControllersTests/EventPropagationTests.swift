import ControllerRuntime
import FederationAPI
import Foundation
import Testing

@testable import FederationControllers

/// Member warnings relayed to the hub: which objects have an owner there, which events count,
/// and that each occurrence is relayed once and a storm is rate-limited.
struct EventPropagationTests {
    private static let now = Date(timeIntervalSince1970: 1_800_000_000)

    private static func event(type: String = Event.warning, count: Int? = nil, at: Date = now) -> Event {
        Event(
            metadata: ObjectMeta(name: "flags.1", namespace: "shop", uid: "e1"), eventTime: MicroTime(at), reason: "QuotaExceeded",
            regarding: ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "flags"), note: "over quota",
            type: type, deprecatedCount: count)
    }

    @Test func theOwnerIsTheRuleOrTheServiceFailoverConcordMarked() {
        #expect(WarningOwner(namespace: "shop", labels: [:], annotations: [FederationAnnotation.rule: "shop/global-config"])
            == .replicationRule(namespace: "shop", name: "global-config"))
        #expect(WarningOwner(namespace: "shop", labels: [FederationLabel.managed: "true", FederationLabel.serviceFailover: "payment-api"], annotations: [:])
            == .serviceFailover(namespace: "shop", name: "payment-api"))
        #expect(WarningOwner(namespace: "shop", labels: [FederationLabel.serviceFailover: "payment-api"], annotations: [:]) == nil, "not managed by Concord")
        #expect(WarningOwner(namespace: "shop", labels: ["app": "web"], annotations: [:]) == nil)
        #expect(WarningOwner(namespace: "shop", labels: [:], annotations: [FederationAnnotation.rule: "no-namespace"]) == nil)
    }

    @Test func onlyFreshWarningsAboutAnObjectAreRelayed() throws {
        #expect(MemberWarning(Self.event(type: Event.normal)) == nil)
        let warning = try #require(MemberWarning(Self.event()))
        #expect(warning.isFresh(now: Self.now.addingTimeInterval(60)))
        #expect(!warning.isFresh(now: Self.now.addingTimeInterval(MemberWarning.freshness + 1)), "history listed at start-up is not news")
        #expect(warning.hubNote(datacenter: "us-west") == "us-west: ConfigMap shop/flags: over quota")
        #expect(MemberWarning(Self.event(count: 4))?.occurrences == 4)
    }

    @Test func eachOccurrenceIsRelayedOnce() {
        let ledger = RelayLedger()
        let owner = WarningOwner.replicationRule(namespace: "shop", name: "global-config")
        #expect(ledger.admit(datacenter: "us-west", id: "e1", occurrences: 1, owner: owner, now: Self.now) == .relay)
        #expect(ledger.admit(datacenter: "us-west", id: "e1", occurrences: 1, owner: owner, now: Self.now) == .duplicate)
        #expect(ledger.admit(datacenter: "eu-central", id: "e1", occurrences: 1, owner: owner, now: Self.now) == .relay, "another datacenter's event")
        #expect(ledger.admit(datacenter: "us-west", id: "e1", occurrences: 2, owner: owner, now: Self.now) == .relay, "it happened again")
    }

    @Test func aStormIsRateLimitedPerOwnerAndRefills() {
        let ledger = RelayLedger(burst: 3, refillSeconds: 10)
        let owner = WarningOwner.serviceFailover(namespace: "shop", name: "payment-api")
        let other = WarningOwner.replicationRule(namespace: "shop", name: "global-config")
        let verdicts = (0..<5).map { ledger.admit(datacenter: "us-west", id: "e\($0)", occurrences: 1, owner: owner, now: Self.now) }
        #expect(verdicts == [.relay, .relay, .relay, .rateLimited, .rateLimited])
        #expect(ledger.admit(datacenter: "us-west", id: "x", occurrences: 1, owner: other, now: Self.now) == .relay, "buckets are per owner")
        #expect(ledger.admit(datacenter: "us-west", id: "e3", occurrences: 1, owner: owner, now: Self.now.addingTimeInterval(10)) == .relay)
        #expect(ledger.admit(datacenter: "us-west", id: "e4", occurrences: 1, owner: owner, now: Self.now.addingTimeInterval(10)) == .rateLimited)
    }

    @Test func keysTellDatacentersFromMemberEvents() {
        #expect(EventPropagationKey(ObjectKey(namespace: nil, name: "us-west")) == .datacenter("us-west"))
        let key = EventPropagationKey.key(datacenter: "us-west", event: Self.event())
        #expect(EventPropagationKey(key) == .event(datacenter: "us-west", namespace: "shop", name: "flags.1"))
    }
}
