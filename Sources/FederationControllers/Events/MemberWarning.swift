import FederationAPI
import Foundation

/// The hub object that owns an object Concord manages in a member: the ReplicationRule named by a
/// replica's `federation.concord.dev/rule` annotation, or the ServiceFailover named by the
/// `federation.concord.dev/service-failover` label of a standby copy.
enum WarningOwner: Hashable, Sendable {
    case replicationRule(namespace: String, name: String)
    case serviceFailover(namespace: String, name: String)

    /// The owner of a member object with these labels and annotations in `namespace`; nil when
    /// Concord does not manage it (no `managed` label and no `rule` annotation) or names no owner.
    init?(namespace: String?, labels: [String: String], annotations: [String: String]) {
        let managed = labels[FederationLabel.managed] == "true"
        if let rule = annotations[FederationAnnotation.rule] {
            let parts = rule.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            self = .replicationRule(namespace: parts[0], name: parts[1])
        } else if managed, let service = labels[FederationLabel.serviceFailover], let namespace, !service.isEmpty {
            self = .serviceFailover(namespace: namespace, name: service)
        } else {
            return nil
        }
    }

    /// `ReplicationRule shop/global-config`.
    var description: String {
        switch self {
        case .replicationRule(let namespace, let name): "ReplicationRule \(namespace)/\(name)"
        case .serviceFailover(let namespace, let name): "ServiceFailover \(namespace)/\(name)"
        }
    }
}

/// What the relay reads of a member's Event, in either API's shape.
struct MemberWarning: Hashable, Sendable {
    /// The member's Event's uid (or namespace/name), identifying it across updates.
    var id: String
    /// The member Event's namespace and name.
    var eventNamespace: String
    var eventName: String
    var reason: String
    var note: String
    var action: String?
    /// The object it is about, in the member.
    var regarding: ObjectReference
    /// How many times it happened so far (a series' count, else the legacy count, else 1).
    var occurrences: Int
    /// When it last happened.
    var lastSeen: Date?

    /// How long ago a Warning may have last happened and still be relayed: older ones, such as
    /// those listed when the controller starts, are history, not news.
    static let freshness: TimeInterval = 10 * 60

    /// The warning an Event carries; nil for a Normal event or one about no object.
    init?(_ event: Event) {
        guard event.type == Event.warning, let regarding = event.regarding, regarding.name != nil, regarding.kind != nil else { return nil }
        id = event.metadata.uid ?? "\(event.metadata.namespace ?? "")/\(event.metadata.name ?? "")"
        eventNamespace = event.metadata.namespace ?? ""
        eventName = event.metadata.name ?? ""
        reason = event.reason ?? "MemberWarning"
        note = event.note ?? ""
        action = event.action
        self.regarding = regarding
        occurrences = event.series?.count ?? event.deprecatedCount ?? 1
        lastSeen = event.series?.lastObservedTime.date ?? event.deprecatedLastTimestamp?.date ?? event.eventTime?.date
            ?? event.metadata.creationTimestamp?.date
    }

    /// True when it last happened within ``freshness`` of `now` (an unknown time counts as fresh).
    func isFresh(now: Date) -> Bool {
        guard let lastSeen else { return true }
        return now.timeIntervalSince(lastSeen) <= Self.freshness
    }

    /// The note recorded at the hub: the datacenter, the member object, then the member's own note.
    func hubNote(datacenter: String) -> String {
        let namespace = regarding.namespace.map { "\($0)/" } ?? ""
        return "\(datacenter): \(regarding.kind ?? "") \(namespace)\(regarding.name ?? ""): \(note)"
    }
}
