import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Logging

/// Re-records at the hub the Warning events members record about objects Concord manages there.
///
/// Two kinds of keys share the queue (``EventPropagationKey``): a Datacenter's key makes sure the
/// member's Event informer runs (it starts once the member is connected); a member Event's key
/// relays that Event: the object it regards is read from the member, its owner found
/// (``WarningOwner``), and a Warning written on the owning ReplicationRule or ServiceFailover,
/// reported by this controller with the datacenter as the reporting instance and named in the
/// note. Each member Event has one hub Event (``RelayedEvents``): created on the first relay, its
/// series counted up as the member counts up, never written twice for one occurrence, also after
/// a restart. ``RelayLedger`` remembers relays in memory and rate-limits per owner.
struct EventPropagationReconciler: Reconciler {
    let members: Members
    let datacenters: InformerCache<Datacenter>
    let rules: InformerCache<ReplicationRule>
    /// ServiceFailovers are read from the hub when a warning names one (the hub cache holds no
    /// informer over them for this controller alone).
    let services: ResourceClient<ServiceFailover>
    let kinds: ReplicatedKinds
    let ledger: RelayLedger
    /// Writes the hub Events, one per member Event (what survives a restart); nil records nothing.
    let hubEvents: RelayedEvents?
    let now: @Sendable () -> Date
    /// How often a member without a connection yet is looked at again.
    let reconnectCheck: Duration
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        switch EventPropagationKey(key) {
        case .datacenter(let name):
            guard datacenters.get(name: name) != nil else { return .done }
            let informer = await members.informer(for: Event.self, in: name, namespace: nil)
            // A member not connected yet, or reconnected over new credentials, is looked at again.
            return .requeue(after: informer == nil ? reconnectCheck : reconnectCheck * 6)
        case .event(let datacenter, let namespace, let name):
            try await relay(datacenter: datacenter, namespace: namespace, name: name)
            return .done
        }
    }

    private func relay(datacenter: String, namespace: String, name: String) async throws {
        guard let hubEvents, let informer = await members.informer(for: Event.self, in: datacenter, namespace: nil),
            let event = informer.cache.get(name: name, namespace: namespace), let warning = MemberWarning(event), warning.isFresh(now: now()),
            let client = await members.existing(datacenter)?.client
        else { return }
        let regarding = warning.regarding
        let object: JSONValue
        do {
            let kind = try await kinds.resolve(apiVersion: regarding.apiVersion ?? "v1", kind: regarding.kind ?? "", in: datacenter, client: client)
            object = try await client.dynamic(kind.resource, namespaced: kind.namespaced, kind: kind.kind).get(regarding.name ?? "", namespace: regarding.namespace)
        } catch let error as KubeAPIError where error.isNotFound {
            return
        } catch is UnknownKindError {
            return
        }
        let metadata = object["metadata"]
        guard let owner = WarningOwner(
            namespace: metadata?["namespace"]?.stringValue, labels: Self.strings(metadata?["labels"]), annotations: Self.strings(metadata?["annotations"])),
            let ownerReference = try await reference(to: owner)
        else { return }
        if ledger.isRelayed(datacenter: datacenter, id: warning.id, occurrences: warning.occurrences) { return }
        let hubEvent = RelayedEvents.event(for: warning, from: datacenter, owner: ownerReference, now: now())
        // Relayed before (by this process or one before a restart): the hub Event says how often.
        let relayed = try await hubEvents.relayedOccurrences(hubEvent.metadata.name ?? "", namespace: hubEvent.metadata.namespace ?? "")
        if let relayed, relayed >= warning.occurrences {
            ledger.record(datacenter: datacenter, id: warning.id, occurrences: relayed, now: now())
            return
        }
        guard ledger.take(owner: owner, now: now()) else {
            logger.debug("Dropped a member warning over the rate limit", metadata: ["datacenter": "\(datacenter)", "owner": "\(owner.description)", "reason": "\(warning.reason)"])
            return
        }
        try await hubEvents.write(hubEvent, occurrences: warning.occurrences, exists: relayed != nil, now: now())
        ledger.record(datacenter: datacenter, id: warning.id, occurrences: warning.occurrences, now: now())
        logger.info("Relayed a member warning", metadata: [
            "datacenter": "\(datacenter)", "owner": "\(owner.description)", "reason": "\(warning.reason)", "occurrences": "\(warning.occurrences)",
        ])
    }

    /// A reference to the owner at the hub, nil when it does not exist there.
    private func reference(to owner: WarningOwner) async throws -> ObjectReference? {
        switch owner {
        case .replicationRule(let namespace, let name):
            return rules.get(name: name, namespace: namespace).map { Self.reference(to: $0) }
        case .serviceFailover(let namespace, let name):
            do {
                return Self.reference(to: try await services.get(name, namespace: namespace))
            } catch let error as KubeAPIError where error.isNotFound {
                return nil
            }
        }
    }

    /// A reference to the owner without resourceVersion.
    static func reference<R: KubeResource>(to object: R) -> ObjectReference {
        var reference = ObjectReference(to: object)
        reference.resourceVersion = nil
        return reference
    }

    private static func strings(_ value: JSONValue?) -> [String: String] {
        (value?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
}

/// The two kinds of keys of the event propagation queue: a Datacenter (cluster-scoped, its name)
/// and a member Event (namespace: the datacenter; name: `<event namespace>/<event name>`).
enum EventPropagationKey: Equatable {
    case datacenter(String)
    case event(datacenter: String, namespace: String, name: String)

    init(_ key: ObjectKey) {
        guard let datacenter = key.namespace, !datacenter.isEmpty else {
            self = .datacenter(key.name)
            return
        }
        let parts = key.name.split(separator: "/", maxSplits: 1).map(String.init)
        self = parts.count == 2 ? .event(datacenter: datacenter, namespace: parts[0], name: parts[1]) : .datacenter(key.name)
    }

    /// The queue key of a member Event.
    static func key(datacenter: String, event: Event) -> ObjectKey {
        ObjectKey(namespace: datacenter, name: "\(event.metadata.namespace ?? "default")/\(event.metadata.name ?? "")")
    }
}
