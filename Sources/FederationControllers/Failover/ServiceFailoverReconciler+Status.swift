import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

extension ServiceFailoverReconciler {
    /// The core's input: each involved datacenter's health from its Datacenter status and the
    /// workload's ready replicas there, the replicas each runs, and the replicas of the primary.
    func input(_ sf: ServiceFailover, _ read: ServiceRead) -> ServiceInput {
        let status = sf.status
        let primary = sf.spec.primary
        let active = status?.activeDatacenter ?? primary
        let unavailableSince = ServiceFailover.unavailableSince(status, spec: sf.spec)
        var sites: [String: SiteHealth] = [:]
        var desired: [String: Int] = [:]
        for (name, view) in read.sites {
            var site = SiteHealth(
                view.datacenter, readyReplicas: view.readyReplicas, unavailableSince: name == active ? unavailableSince : nil,
                placedReplicas: placedReplicas(in: name, excluding: sf))
            // What an unreachable member holds is unknown; it is no target anyway (not Ready).
            site.hasWorkload = view.workload != nil || !view.reachable
            site.statusCurrent = view.statusCurrent
            sites[name] = site
            if view.reachable, let workload = view.workload { desired[name] = StandbyCopy.replicas(of: workload) }
        }
        return ServiceInput(
            spec: sf.spec, status: status, sites: sites, desiredReplicas: desired, primaryReplicas: primaryReplicas(sf, read),
            failbackRequested: failbackRequested(sf),
            failbackRequestedAt: sf.metadata.annotations?[PromotionAnnotation.failbackRequestedAt].flatMap { KubeTime(rfc3339: $0)?.date },
            now: now(), generation: sf.metadata.generation)
    }

    /// The user's replica count in the primary: read from the workload while it runs there, and
    /// remembered in status while Concord keeps it at 0.
    func primaryReplicas(_ sf: ServiceFailover, _ read: ServiceRead) -> Int {
        let status = sf.status
        let view = read.sites[sf.spec.primary]
        let running = view?.reachable == true ? view?.workload.map(StandbyCopy.replicas(of:)) : nil
        let moving = status?.lastTransition.map { $0.completedAt == nil } ?? false
        if (status?.activeDatacenter ?? sf.spec.primary) == sf.spec.primary, !moving, let running, running > 0 { return running }
        if let remembered = status?.primaryReplicas, remembered > 0 { return remembered }
        if let running, running > 0 { return running }
        return sf.spec.failover.compactMap(\.replicas).max() ?? 1
    }

    /// A person asked for failback: the annotation holds a time at or after the start of the last
    /// move (times have whole seconds, so a request in the same second as a failover's start counts).
    func failbackRequested(_ sf: ServiceFailover) -> Bool {
        guard let value = sf.metadata.annotations?[PromotionAnnotation.failbackRequestedAt], let asked = KubeTime(rfc3339: value)?.date else { return false }
        guard let last = sf.status?.lastTransition else { return false }
        return asked >= last.startedAt.date
    }

    /// The federated replicas Concord placed in `datacenter` for every other ServiceFailover: their
    /// failover and ActiveActive datacenters' desired replicas, as their status records them.
    func placedReplicas(in datacenter: String, excluding sf: ServiceFailover) -> Int {
        ServiceFailover.placedReplicas(in: datacenter, byOthersThan: sf, among: cache.list())
    }

    /// The discovery view: the primary and every failover datacenter in spec order, with what each
    /// runs and serves now (`scaled`: what this pass's effects set). A datacenter out of reach keeps its last observed counts, marked unreachable.
    func discoveryView(_ sf: ServiceFailover, read: ServiceRead, scaled: [String: Int]) -> [ServiceDatacenterStatus] {
        let names = [sf.spec.primary] + sf.spec.failover.map(\.datacenter)
        return names.map { name in
            let role: ServiceDatacenterRole = name == sf.spec.primary ? .primary : .failover
            guard let view = read.sites[name], view.reachable else {
                var last = sf.status?.datacenters.first { $0.name == name } ?? ServiceDatacenterStatus(name: name)
                last.role = role
                last.reachable = false
                return last
            }
            let desired = view.workload.map(StandbyCopy.replicas(of:)) ?? 0
            return ServiceDatacenterStatus(
                name: name, role: role, reachable: true, desiredReplicas: scaled[name] ?? desired,
                readyReplicas: view.workload.map(StandbyCopy.readyReplicas(of:)) ?? 0, endpoints: GlobalService.addresses(of: view.slices))
        }
    }

    /// Every field of a ServiceFailover's status; this controller is their one writer.
    static let statusFields = [
        "observedGeneration", "activeDatacenter", "placement", "phase", "primaryReplicas", "unplacedReplicas", "datacenters", "lastTransition", "history", "conditions",
    ]

    /// Writes the status when it changed: a merge patch of its fields without a resourceVersion
    /// precondition. A merge patch merges nested objects, so the optional fields of
    /// `lastTransition` that are now empty (a new move's `completedAt`) are sent as null.
    func writeStatus(_ status: ServiceFailoverStatus, of sf: ServiceFailover) async throws {
        guard status != sf.status else { return }
        var patch = try StatusPatch.merge(status, fields: Self.statusFields)
        if var transition = patch.value(at: ["status", "lastTransition"]), transition.objectValue != nil {
            for field in ["from", "completedAt", "durationSeconds"] where transition[field] == nil { transition[field] = .null }
            patch.setValue(transition, at: ["status", "lastTransition"])
        }
        do {
            let stored = try await failovers.patchStatus(sf.metadata.name ?? "", namespace: sf.metadata.namespace, patch: patch)
            written.record(
                ObjectKey(namespace: sf.metadata.namespace, name: sf.metadata.name ?? ""), readVersion: sf.metadata.resourceVersion,
                writtenVersion: stored.metadata.resourceVersion, status: status)
        } catch let error as KubeAPIError where error.isNotFound {}
    }

    /// A pass that cannot plan: Ready=False with the reason, Stalled=True when only a person can fix
    /// it. Nothing in the members changes, so other ServiceFailovers are not affected.
    func blocked(_ sf: ServiceFailover, _ blocker: ServiceBlocker) async throws -> ReconcileResult {
        var status = sf.status ?? ServiceFailoverStatus()
        let time = KubeTime(now())
        let generation = sf.metadata.generation
        func set(_ type: String, _ value: Bool, _ reason: String, _ message: String) {
            status.conditions.set(Condition(type: type, status: value ? .true : .false, observedGeneration: generation, lastTransitionTime: time, reason: reason, message: message))
        }
        set(ServiceFailover.ConditionType.ready, false, blocker.reason, blocker.message)
        set(ServiceFailover.ConditionType.stalled, blocker.terminal, blocker.terminal ? blocker.reason : ServiceFailover.Reason.stable,
            blocker.terminal ? blocker.message : "waiting: \(blocker.message)")
        set(ServiceFailover.ConditionType.reconciling, !blocker.terminal, blocker.reason, blocker.message)
        // Nothing is scaled or moved until a person changes something: no target fits, the spec cannot
        // be acted on, or an older ServiceFailover manages the Service.
        let stopping = [ServiceFailover.Reason.noFittingTarget, ServiceFailover.Reason.invalidSpec, ServiceFailover.Reason.serviceClaimed]
        if stopping.contains(blocker.reason) { status.phase = .blocked }
        status.observedGeneration = generation
        if blocker.terminal, sf.status?.conditions.condition(ServiceFailover.ConditionType.stalled)?.reason != blocker.reason {
            events.event(regarding: ObjectReference(to: sf), type: Event.warning, reason: blocker.reason, action: "Validate", note: blocker.message)
        }
        try await writeStatus(status, of: sf)
        return .requeue(after: blocker.terminal ? requeue.replicationStalledRecheck : .seconds(1))
    }
}
