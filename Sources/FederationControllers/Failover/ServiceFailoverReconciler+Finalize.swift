import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

extension ServiceFailoverReconciler {
    /// Deletion: remove what Concord put into members, then release the finalizer.
    ///
    /// The global Service and its EndpointSlices go from every member, and the standby copies from
    /// the failover datacenters. A copy that serves traffic (more than 0 replicas) is left running
    /// and said so in an event: deleting the ServiceFailover stops protecting the Service, it does
    /// not take it down. The user's own workload and Service are never touched. Members out of
    /// reach are waited for up to the cleanup bound after the deletion began; then the finalizer
    /// is released anyway with a Warning event naming what was left behind.
    func finalize(_ sf: ServiceFailover) async throws -> ReconcileResult {
        guard sf.metadata.hasFinalizer(FederationFinalizer.cleanup) else { return .done }
        // Another ServiceFailover manages the same Service (this one was stalled as its rival, or is
        // the older one and the other takes over): what is in the members is its to keep.
        if !rivals(of: sf).isEmpty {
            _ = try await failovers.removeFinalizer(FederationFinalizer.cleanup, from: sf)
            return .done
        }
        let ref = ObjectReference(to: sf)
        var pending: [String] = []
        // Members where a copy changed between the read and its delete (its preconditions failed).
        var changed: [String] = []
        var kept: [String] = []
        switch await read(sf, involved: sf.spec.effectiveMode == .activeActive ? placementSites(sf) : Set([sf.spec.primary] + sf.spec.failover.map(\.datacenter))) {
        case .failure(let blocker):
            pending.append(blocker.message)
        case .success(let read):
            let executor = ServiceEffectExecutor(members: members, resources: read.resources, clock: clock, writeTimeout: requeue.replicationWriteTimeout, logger: logger)
            let namespace = sf.metadata.namespace ?? ""
            for view in read.all {
                guard view.reachable else {
                    pending.append(view.name)
                    continue
                }
                do {
                    for slice in view.globalSlices {
                        try await executor.delete(ReplicaContent.name(of: slice), resource: FailoverResources.endpointSlices, kind: "EndpointSlice", namespace: namespace, in: view.name)
                    }
                    if let global = view.globalService, StandbyCopy.isCopy(global) {
                        try await executor.delete(ReplicaContent.name(of: global), resource: FailoverResources.services, kind: "Service", namespace: namespace, in: view.name)
                    }
                    guard let cached = view.workload, StandbyCopy.isCopy(cached) else { continue }
                    let resource = read.resources.workload.resource, kind = read.resources.workload.kind
                    // A copy the cache shows serving is read again before it is kept for good (the cache
                    // may not have seen it scaled to 0 yet); a copy at 0 is deleted only as read, so one
                    // scaled up since is kept on the next try.
                    var workload: JSONValue? = cached
                    if StandbyCopy.replicas(of: cached) > 0 {
                        workload = try await executor.live(ReplicaContent.name(of: cached), resource: resource, kind: kind, namespace: namespace, in: view.name)
                    }
                    // Gone already: only its Service copy is left to delete.
                    if let workload {
                        guard StandbyCopy.isCopy(workload) else { continue }
                        if StandbyCopy.replicas(of: workload) > 0 {
                            kept.append(view.name)
                            continue
                        }
                        try await executor.delete(ReplicaContent.name(of: workload), resource: resource, kind: kind, namespace: namespace, in: view.name, as: workload)
                    }
                    if let service = view.service, StandbyCopy.isCopy(service) {
                        try await executor.delete(ReplicaContent.name(of: service), resource: FailoverResources.services, kind: "Service", namespace: namespace, in: view.name)
                    }
                } catch {
                    if error.isKubeConflict { changed.append(view.name) } else { pending.append(view.name) }
                }
            }
        }
        let started = sf.metadata.deletionTimestamp?.date ?? now()
        if !(pending + changed).isEmpty, now().timeIntervalSince(started) < cleanupTimeout { return .requeue(after: requeue.finalizeRetry) }
        if !pending.isEmpty {
            events.event(regarding: ref, type: Event.warning, reason: CommonReason.cleanupTimedOut, action: "Cleanup",
                         note: "Could not reach \(pending.joined(separator: ", ")) within \(Int(cleanupTimeout)) s; Concord's global objects and copies at 0 replicas there are removed when it is reachable again.")
        }
        if !changed.isEmpty {
            events.event(regarding: ref, type: Event.warning, reason: CommonReason.cleanupTimedOut, action: "Cleanup",
                         note: "A copy in \(changed.joined(separator: ", ")) kept changing while it was being removed (for \(Int(cleanupTimeout)) s); it was left as it is: delete it yourself if it should go.")
        }
        if !kept.isEmpty {
            events.event(regarding: ref, type: Event.normal, reason: "ServingCopyKept", action: "Cleanup",
                         note: "Left the serving copy of the workload running in \(kept.joined(separator: ", ")); scale or delete it yourself.")
        }
        _ = try await failovers.removeFinalizer(FederationFinalizer.cleanup, from: sf)
        return .done
    }
}
