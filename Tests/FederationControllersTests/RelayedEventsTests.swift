import ConcordTesting
import FederationAPI
import Foundation
import KubeClient
import Testing

@testable import FederationControllers

/// The hub side of relayed member warnings against a real control plane: one hub Event per
/// member Event, found again by its name after a restart, its series counting the occurrences.
@Suite(.serialized) struct RelayedEventsTests {
    private static let now = Date()

    private static func warning(uid: String = "m1", count: Int? = nil) throws -> MemberWarning {
        try #require(MemberWarning(Event(
            metadata: ObjectMeta(name: "flags.quota", namespace: "shop", uid: uid), eventTime: MicroTime(now), reason: "QuotaExceeded",
            regarding: ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "flags", uid: "cm-1"), note: "over quota",
            type: Event.warning, deprecatedCount: count)))
    }

    private static let owner = ObjectReference(apiVersion: "federation.concord.dev/v1alpha1", kind: "ReplicationRule", namespace: "shop", name: "global-config")

    @Test func theNameIsTheSameForTheSameMemberEventOnly() throws {
        let event = RelayedEvents.event(for: try Self.warning(), from: "us-west", owner: Self.owner, now: Self.now)
        let later = RelayedEvents.event(for: try Self.warning(count: 3), from: "us-west", owner: Self.owner, now: Self.now.addingTimeInterval(600))
        #expect(event.metadata.name == later.metadata.name, "the same member Event, later: the same hub Event")
        #expect(event.metadata.name?.hasPrefix("global-config.") == true)
        #expect(RelayedEvents.event(for: try Self.warning(), from: "eu-central", owner: Self.owner, now: Self.now).metadata.name != event.metadata.name)
        #expect(RelayedEvents.event(for: try Self.warning(uid: "m2"), from: "us-west", owner: Self.owner, now: Self.now).metadata.name != event.metadata.name)
        #expect(event.metadata.namespace == "shop" && event.regarding == Self.owner && event.related?.uid == nil && event.related?.name == "flags")
        #expect(event.metadata.labels?[FederationLabel.datacenter] == "us-west")
        #expect(event.metadata.annotations?[RelayedEvents.memberEventAnnotation] == "us-west/shop/flags.quota")
        #expect(event.reportingInstance == "us-west" && event.note == "us-west: ConfigMap shop/flags: over quota")
    }

    @Test func aRelayIsFoundAgainAndItsSeriesCountsTheOccurrences() async throws {
        try await withTestControlPlane { plane in
            let hub = try KubeClient(kubeconfigPath: plane.kubeconfigPath)
            _ = try await hub.resource(Namespace.self).create(Namespace(name: "shop"))
            let first = RelayedEvents(events: hub.resource(Event.self))
            let event = RelayedEvents.event(for: try Self.warning(), from: "us-west", owner: Self.owner, now: Self.now)
            let name = try #require(event.metadata.name)
            #expect(try await first.relayedOccurrences(name, namespace: "shop") == nil)
            try await first.write(event, occurrences: 1, exists: false, now: Self.now)

            // Another process (a restarted controller) finds the relay by name.
            let second = RelayedEvents(events: hub.resource(Event.self))
            #expect(try await second.relayedOccurrences(name, namespace: "shop") == 1)
            try await second.write(event, occurrences: 3, exists: true, now: Self.now.addingTimeInterval(5))
            #expect(try await first.relayedOccurrences(name, namespace: "shop") == 3)
            // A create that races another pass's finds the Event and counts on it.
            try await second.write(event, occurrences: 4, exists: false, now: Self.now.addingTimeInterval(6))
            #expect(try await first.relayedOccurrences(name, namespace: "shop") == 4)

            let all = try await hub.resource(Event.self).list(namespace: "shop").items
            #expect(all.count == 1, "one hub Event per member Event: \(all.map { $0.metadata.name ?? "" })")
            #expect(all.first?.series?.count == 4 && all.first?.reason == "QuotaExceeded" && all.first?.type == Event.warning)
            try await hub.shutdown()
        }
    }
}
