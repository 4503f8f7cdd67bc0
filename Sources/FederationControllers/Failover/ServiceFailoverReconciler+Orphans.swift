import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

/// What a deleted ServiceFailover left behind in a member that could not be reached during its
/// deletion (``finalize(_:)`` waits `--member-cleanup-timeout`, then lets the deletion finish).
extension ServiceFailoverReconciler {
    /// Removes from every member what ServiceFailover `key`, which no longer exists, left there:
    /// its global Service and that Service's EndpointSlices, and copies of the workload scaled to 0
    /// with their Service copies, as its deletion would have. A copy still running replicas is kept,
    /// as its deletion keeps it, and a Service copy waits until the member's workload caches of the
    /// namespace are filled (the copy it serves through may not be listed yet). Anything a live
    /// ServiceFailover of the namespace now manages (the same Service or workload) is its own and is
    /// left alone. A member whose objects are known but that is not watched right now (it is away)
    /// is looked at again later.
    ///
    /// The namespaces and kinds looked at are those some ServiceFailover was read with since this
    /// controller started, and those where the leftover informers found something of a deleted one
    /// (``FailoverWatches/resources(in:)``).
    func collectOrphans(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let namespace = key.namespace else { return .done }
        let resources = watches.resources(in: namespace)
        guard !resources.isEmpty else { return .done }
        let owned = LabelSelector(matchLabels: [FederationLabel.serviceFailover: key.name, FederationLabel.managed: "true"])
        var away = false
        for dc in datacenterCache.list() {
            guard let datacenter = dc.metadata.name else { continue }
            var found: [Orphan] = []
            var watched = true
            // Whether every workload kind's cache here is filled (a kind the member does not serve holds
            // nothing): until then no copy is known not to serve.
            var workloadsKnown = resources.keys.contains { !FailoverWatches.isServiceKind($0) }
            for (resource, kind) in resources.sorted(by: { $0.value < $1.value }) {
                guard let informer = await members.informer(for: resource, namespaced: true, kind: kind, in: datacenter, namespace: namespace), informer.hasSynced else {
                    if !FailoverWatches.isServiceKind(resource), await serves(resource, kind: kind, in: datacenter) != false { workloadsKnown = false }
                    continue
                }
                watched = watched && informer.isConnected
                for object in informer.cache.list(namespace: namespace, labelSelector: owned) {
                    guard let leftover = FailoverOrphans.leftover(object, kind: kind), !managed(leftover, object, kind: kind, namespace: namespace) else { continue }
                    found.append(Orphan(name: ReplicaContent.name(of: object), resource: resource, kind: kind, leftover: leftover, read: object))
                }
            }
            guard !found.isEmpty else { continue }
            guard watched else {
                away = true
                continue
            }
            // A copy still serving keeps the Service copies it serves through, as a deletion keeps them.
            let serving = found.contains { if case .workloadCopy(let replicas) = $0.leftover { replicas > 0 } else { false } }
            let removed = found.filter { orphan in
                switch orphan.leftover {
                case .globalSlice, .globalService: true
                case .workloadCopy(let replicas): replicas == 0
                case .serviceCopy: !serving && workloadsKnown
                }
            }
            // A Service copy waits for the workload caches (just started for a namespace the leftover
            // informers found): the copy it serves through may not be listed yet.
            if !workloadsKnown, found.contains(where: { if case .serviceCopy = $0.leftover { true } else { false } }) { away = true }
            guard !removed.isEmpty else { continue }
            // Workload copies first: one scaled up since it was read fails its delete, and then its
            // Service copy stays with it.
            for orphan in removed.sorted(by: { FailoverOrphans.removalRank($0.leftover) < FailoverOrphans.removalRank($1.leftover) }) {
                try await delete(orphan, namespace: namespace, in: datacenter)
            }
            let names = removed.map { "\($0.kind) \($0.name)" }.joined(separator: ", ")
            logger.info("Removed what a deleted ServiceFailover left in a member", metadata: ["servicefailover": "\(key)", "datacenter": "\(datacenter)", "objects": "\(names)"])
            events.event(
                regarding: ObjectReference(to: dc), type: Event.normal, reason: Reason.leftoversRemoved, action: "Cleanup",
                note: "Removed what ServiceFailover \(key) left in namespace \(namespace) here while it was deleted: \(names).")
        }
        return away ? .requeue(after: Self.resync) : .done
    }

    /// Starts `datacenter`'s informers over what deleted ServiceFailovers may have left there, in every
    /// namespace (``FailoverWatches/watchLeftovers()``), for the kinds its discovery serves (a member
    /// without StatefulSets has none to leave); a member not connected yet, or reconnected over new
    /// credentials, is looked at again.
    func watchLeftovers(in datacenter: String) async -> ReconcileResult {
        guard let dc = datacenterCache.get(name: datacenter), dc.metadata.deletionTimestamp == nil else { return .done }
        // An Unreachable member is looked at again when its phase changes (the Datacenter watch).
        guard dc.status?.phase != .unreachable else { return .done }
        guard await members.existing(datacenter) != nil else { return .requeue(after: requeue.memberEventsCheck) }
        var started = true
        for (resource, kind) in FailoverWatches.leftoverKinds {
            switch await serves(resource, kind: kind, in: datacenter) {
            case false?: continue
            case nil:
                started = false
                continue
            case true?: break
            }
            let informer = await members.informer(for: resource, namespaced: true, kind: kind, in: datacenter, namespace: nil, options: FailoverWatches.leftoverOptions)
            started = started && informer != nil
        }
        return .requeue(after: started ? requeue.memberEventsCheck * 6 : requeue.memberEventsCheck)
    }

    /// Whether `datacenter` serves `kind` (`resource`), by its discovery (remembered once read, and
    /// bounded in time); nil when that cannot be told now.
    func serves(_ resource: GroupVersionResource, kind: String, in datacenter: String) async -> Bool? {
        guard let client = await members.existing(datacenter)?.client else { return nil }
        do {
            _ = try await withTimeout(requeue.replicationWriteTimeout, "reading \(datacenter)'s discovery", clock: clock) { [kinds] in
                try await kinds.resolve(apiVersion: resource.apiVersion, kind: kind, in: datacenter, client: client)
            }
            return true
        } catch is UnknownKindError {
            return false
        } catch {
            return nil
        }
    }

    /// One object a deleted ServiceFailover left in a member.
    struct Orphan {
        let name: String
        let resource: GroupVersionResource
        let kind: String
        let leftover: FailoverOrphans.Leftover
        /// The object as the cache showed it: it is deleted only while still so (a copy scaled up since is kept).
        let read: JSONValue
    }

    /// True when a live ServiceFailover of `namespace` manages the Service or workload `leftover` belongs to.
    func managed(_ leftover: FailoverOrphans.Leftover, _ object: JSONValue, kind: String, namespace: String) -> Bool {
        let claim: String
        switch leftover {
        case .globalSlice(let service), .globalService(let service), .serviceCopy(let service): claim = Self.serviceClaim(namespace, service)
        case .workloadCopy: claim = Self.workloadClaim(namespace, "\(kind)/\(ReplicaContent.name(of: object))")
        }
        let claimants = cache.hasIndex(Self.claimIndex) ? cache.byIndex(Self.claimIndex, claim) : cache.list(namespace: namespace).filter { Self.claims(of: $0).contains(claim) }
        return claimants.contains { $0.metadata.deletionTimestamp == nil }
    }

    /// Deletes `orphan` in `datacenter` while it is still the object read (gone already counts as
    /// deleted; one changed since fails with a conflict and is looked at again).
    func delete(_ orphan: Orphan, namespace: String, in datacenter: String) async throws {
        guard let connection = await members.existing(datacenter) else { throw KubeUsageError("no connection to \(datacenter)") }
        try await withTimeout(requeue.replicationWriteTimeout, "deleting \(orphan.kind) \(orphan.name) in \(datacenter)", clock: clock) {
            do {
                _ = try await connection.client.dynamic(orphan.resource, namespaced: true, kind: orphan.kind).delete(orphan.name, namespace: namespace, options: DeleteOptions(preconditions: ServiceEffectExecutor.preconditions(of: orphan.read)))
            } catch let error as KubeAPIError where error.isNotFound {}
        }
    }
}
