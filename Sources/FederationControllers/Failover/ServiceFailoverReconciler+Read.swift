import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

extension ServiceFailoverReconciler {
    typealias Reason = ServiceFailover.Reason

    /// Checks the spec: what makes no sense for ActivePassive (``FederationAPI/ServiceFailoverSpec/modeProblems``),
    /// then against the Datacenters: every name known, no target twice, and at least one target whose
    /// replicas its capacity can hold.
    func validate(_ sf: ServiceFailover) -> ServiceBlocker? {
        let spec = sf.spec
        func invalid(_ message: String) -> ServiceBlocker { ServiceBlocker(reason: Reason.invalidSpec, message: message, terminal: true) }
        if let problem = spec.modeProblems.first { return invalid(problem.message) }
        guard datacenterCache.get(name: spec.primary) != nil else { return invalid("spec.primary names Datacenter \(spec.primary), which does not exist.") }
        var seen: Set<String> = []
        for (index, target) in spec.failover.enumerated() {
            guard datacenterCache.get(name: target.datacenter) != nil else {
                return invalid("spec.failover[\(index)].datacenter names Datacenter \(target.datacenter), which does not exist.")
            }
            if !seen.insert(target.datacenter).inserted { return invalid("spec.failover[\(index)].datacenter repeats \(target.datacenter).") }
        }
        let tooSmall = spec.failover.compactMap { target -> String? in
            guard let replicas = target.replicas, let capacity = datacenterCache.get(name: target.datacenter)?.spec.capacity?.replicas, replicas > capacity else { return nil }
            return "\(target.datacenter) needs \(replicas) replicas, capacity \(capacity)"
        }
        if tooSmall.count == spec.failover.count {
            return ServiceBlocker(
                reason: Reason.noFittingTarget, message: "no failover datacenter can ever hold the service: \(tooSmall.joined(separator: "; ")); lower spec.failover[].replicas or raise capacity.", terminal: true)
        }
        return nil
    }

    /// Reads every member's view of the ServiceFailover's namespace; `involved` are read with the workload.
    func read(_ sf: ServiceFailover, involved: Set<String>) async -> Result<ServiceRead, ServiceBlocker> {
        let namespace = sf.metadata.namespace ?? ""
        let kind: ResolvedKind
        switch await resolveWorkload(sf.spec) {
        case .success(let resolved): kind = resolved
        case .failure(let blocker): return .failure(blocker)
        }
        guard kind.namespaced else {
            return .failure(ServiceBlocker(reason: Reason.invalidSpec, message: "spec.workload: \(kind.kind) is cluster-scoped; a workload lives in the Service's namespace.", terminal: true))
        }
        let resources = FailoverResources(workload: kind)
        for (resource, kind) in [(kind.resource, kind.kind), (FailoverResources.services, "Service"), (FailoverResources.endpointSlices, "EndpointSlice")] {
            watches.ensure(resource, kind: kind, namespace: namespace)
        }
        var read = ServiceRead(resources: resources)
        for dc in datacenterCache.list() where dc.metadata.deletionTimestamp == nil {
            guard let name = dc.metadata.name else { continue }
            let view = await memberView(name, dc, sf: sf, namespace: namespace, resources: resources, involved: involved.contains(name))
            if view.reachable == false, MemberView(dc).phase.isReachable { read.syncing.append(name) }
            if involved.contains(name) { read.sites[name] = view } else { read.others[name] = view }
        }
        return .success(read)
    }

    /// The workload's kind, from the API discovery of the first datacenter that answers: the
    /// ServiceFailover's own (primary, then failover order), then every other, those the hub sees
    /// reachable before the rest. A primary that is gone (a controller started after it died has no discovery of it
    /// cached) never keeps the others from failing over.
    func resolveWorkload(_ spec: ServiceFailoverSpec) async -> Result<ResolvedKind, ServiceBlocker> {
        let workload = spec.effectiveWorkload
        let named = [spec.primary] + spec.failover.map(\.datacenter)
        let names = named + datacenterCache.list().compactMap(\.metadata.name).filter { !named.contains($0) }.sorted()
        let reachable = names.filter { name in datacenterCache.get(name: name).map { MemberView($0).phase.isReachable } ?? false }
        var failures: [String] = []
        for name in reachable + names.filter({ !reachable.contains($0) }) {
            guard let connection = await members.existing(name) else { continue }
            do {
                return .success(try await kinds.resolve(apiVersion: workload.effectiveAPIVersion, kind: workload.effectiveKind, in: name, client: connection.client))
            } catch let error as UnknownKindError {
                return .failure(ServiceBlocker(reason: Reason.invalidSpec, message: "spec.workload: \(error.message)", terminal: true))
            } catch {
                failures.append("\(name): \(error)")
            }
        }
        let message = failures.isEmpty
            ? "No connection to \(spec.primary) or a failover datacenter yet."
            : "Cannot read the API discovery of any datacenter of the ServiceFailover (\(failures.joined(separator: "; ")))."
        return .failure(ServiceBlocker(reason: Reason.waitingForMembers, message: message, terminal: false))
    }

    /// One member's view; `reachable` only when its phase says so and its caches have synced.
    func memberView(_ name: String, _ dc: Datacenter, sf: ServiceFailover, namespace: String, resources: FailoverResources, involved: Bool) async -> MemberServiceView {
        var view = MemberServiceView(name: name, datacenter: dc, reachable: false)
        guard MemberView(dc).phase.isReachable, await members.existing(name) != nil else { return view }
        let service = sf.spec.service
        guard let services = await cached(FailoverResources.services, kind: "Service", in: name, namespace: namespace),
            let slices = await cached(FailoverResources.endpointSlices, kind: "EndpointSlice", in: name, namespace: namespace)
        else { return view }
        if involved {
            guard let workloads = await cached(resources.workload.resource, kind: resources.workload.kind, in: name, namespace: namespace) else { return view }
            view.workload = workloads.get(name: sf.spec.effectiveWorkload.name ?? service, namespace: namespace)
            view.service = services.get(name: service, namespace: namespace)
            view.slices = slices.list(namespace: namespace).filter {
                $0.value(at: ["metadata", "labels", GlobalService.serviceNameLabel])?.stringValue == service
            }
        }
        let global = GlobalService.name(of: service)
        view.globalService = services.get(name: global, namespace: namespace)
        view.globalSlices = slices.list(namespace: namespace).filter {
            $0.value(at: ["metadata", "labels", GlobalService.serviceNameLabel])?.stringValue == global
        }
        view.reachable = true
        return view
    }

    /// The synced cache of `resource` in `namespace` of member `datacenter`, or nil while it syncs.
    func cached(_ resource: GroupVersionResource, kind: String, in datacenter: String, namespace: String) async -> InformerCache<JSONValue>? {
        guard let informer = await members.informer(for: resource, namespaced: true, kind: kind, in: datacenter, namespace: namespace), informer.hasSynced else {
            return nil
        }
        return informer.cache
    }
}

extension DatacenterPhase {
    /// Ready or Suspect: the controller still reaches the member.
    var isReachable: Bool { self == .ready || self == .suspect }
}
