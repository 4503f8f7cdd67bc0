import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

/// The hub Events the relay writes, one per member Event, so what was relayed survives a
/// controller restart: the hub Event's name is derived from the datacenter and the member Event's
/// uid (``name(owner:datacenter:memberEvent:)``), and its `series.count` is the member's
/// occurrences relayed so far (no series for a single one, as in events.k8s.io). A relay
/// creates the Event, or patches its series when the member counted more; an Event already at
/// the member's count is not written again.
struct RelayedEvents: Sendable {
    /// The hub's Events.
    let events: ResourceClient<Event>
    /// `reportingController` of every relayed Event.
    static let reportingController = "federation.concord.dev/event-propagation"
    /// On a relayed Event: `<datacenter>/<namespace>/<name>` of the member Event it stands for.
    static let memberEventAnnotation = "federation.concord.dev/member-event"

    /// `<owner>.<16 hex digits>`: the same member Event always maps to the same hub Event.
    static func name(owner: String, datacenter: String, memberEvent: String) -> String {
        "\(owner.prefix(200)).\(ReplicaContent.hash(of: ["datacenter": .string(datacenter), "event": .string(memberEvent)]))"
    }

    /// The occurrences already relayed as hub Event `name`, nil when there is none.
    func relayedOccurrences(_ name: String, namespace: String) async throws -> Int? {
        do {
            let existing = try await events.get(name, namespace: namespace)
            return existing.series?.count ?? existing.deprecatedCount ?? 1
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }

    /// Creates `event` with `occurrences`, or, when it exists (`exists`, or a create that finds it),
    /// patches its series to `occurrences`.
    func write(_ event: Event, occurrences: Int, exists: Bool, now: Date) async throws {
        let name = event.metadata.name ?? "", namespace = event.metadata.namespace
        var fresh = event
        if occurrences > 1 { fresh.series = EventSeries(count: occurrences, lastObservedTime: MicroTime(now)) }
        if !exists {
            do {
                _ = try await events.create(fresh, namespace: namespace)
                return
            } catch let error as KubeAPIError where error.isAlreadyExists {
                // Another pass created it meanwhile: a single occurrence is then already there.
                guard occurrences > 1 else { return }
            }
        }
        let patch: JSONValue = ["series": ["count": .int(Int64(max(occurrences, 2))), "lastObservedTime": .string(MicroTime(now).description)]]
        _ = try await events.patch(name, namespace: namespace, type: .merge, patch: patch)
    }

    /// The hub Event for `warning` from `datacenter`, about `owner` (`regarding`), with the
    /// member's object as `related`.
    static func event(for warning: MemberWarning, from datacenter: String, owner: ObjectReference, now: Date) -> Event {
        var related = warning.regarding
        related.uid = nil
        related.resourceVersion = nil
        let ownerName = owner.name ?? "object"
        let namespace = (owner.namespace?.isEmpty ?? true) ? "default" : owner.namespace ?? "default"
        return Event(
            metadata: ObjectMeta(
                name: name(owner: ownerName, datacenter: datacenter, memberEvent: warning.id), namespace: namespace,
                labels: [FederationLabel.datacenter: datacenter],
                annotations: [memberEventAnnotation: "\(datacenter)/\(warning.eventNamespace)/\(warning.eventName)"]),
            eventTime: MicroTime(now), reportingController: reportingController, reportingInstance: datacenter,
            action: String((warning.action ?? "MemberWarning").prefix(128)), reason: String(warning.reason.prefix(128)), regarding: owner, related: related,
            note: EventRecorder.truncate(warning.hubNote(datacenter: datacenter), bytes: 1024), type: Event.warning)
    }
}
