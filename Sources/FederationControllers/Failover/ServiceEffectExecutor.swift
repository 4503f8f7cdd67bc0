import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging

/// Runs a ServiceFailover's writes into members. It decides nothing: the plan (``FederationCore/planService(_:)``)
/// says what to scale and where traffic goes; this type writes it.
///
/// - Standby copies and global objects are server-side applies with field manager `concord`,
///   forced; a missing namespace is created, then the apply is tried once more.
/// - Scaling is a merge patch of `spec.replicas` (the user's own workload in its primary is only
///   ever scaled, never rewritten).
/// - Each write is bounded by `writeTimeout` on the injected clock.
struct ServiceEffectExecutor {
    /// The field manager of every write.
    static let fieldManager = "concord"

    let members: Members
    let resources: FailoverResources
    let clock: RuntimeClock
    let writeTimeout: Duration
    let logger: Logger

    /// Keeps the copies of the workload and the Service in every involved datacenter but the
    /// template source current, at the replicas each already runs (0 when new). Returns the
    /// datacenters where a copy was created, and a failure per datacenter whose write failed.
    func syncCopies(_ sf: ServiceFailover, read: ServiceRead) async -> (created: [String], failures: [String: String]) {
        guard let source = read.templateSource(sf.spec), let workload = source.workload, let service = source.service else { return ([], [:]) }
        let owner = sf.metadata.name ?? ""
        var created: [String] = [], failures: [String: String] = [:]
        for view in read.sites.values.sorted(by: { $0.name < $1.name }) where view.name != source.name && view.reachable {
            var writes: [(JSONValue, GroupVersionResource, String)] = []
            if view.workload.map(StandbyCopy.isCopy) ?? true {
                let replicas = view.workload.map(StandbyCopy.replicas(of:)) ?? 0
                let copy = StandbyCopy.copy(of: workload, owner: owner, sourceDatacenter: source.name, replicas: replicas)
                if !(view.workload.map { StandbyCopy.isCurrent($0, wanted: copy) } ?? false) {
                    writes.append((copy, resources.workload.resource, resources.workload.kind))
                }
            }
            if view.service.map(StandbyCopy.isCopy) ?? true {
                let copy = StandbyCopy.copy(of: service, owner: owner, sourceDatacenter: source.name, replicas: nil)
                if !(view.service.map { StandbyCopy.isCurrent($0, wanted: copy) } ?? false) {
                    writes.append((copy, FailoverResources.services, "Service"))
                }
            }
            do {
                for (object, resource, kind) in writes { try await apply(object, resource: resource, kind: kind, in: view.name) }
                if view.workload == nil { created.append(view.name) }
            } catch {
                failures[view.name] = "keeping the standby copy in \(view.name): \(error)"
            }
        }
        return (created, failures)
    }

    /// Sets the workload's replicas in `datacenter`.
    func scale(_ sf: ServiceFailover, in datacenter: String, to replicas: Int) async throws {
        let namespace = sf.metadata.namespace ?? ""
        let name = sf.spec.effectiveWorkload.name ?? sf.spec.service
        let client = try await self.client(datacenter)
        let patch: JSONValue = ["spec": ["replicas": .int(Int64(replicas))]]
        do {
            try await bounded("scaling \(name) in \(datacenter)") {
                _ = try await client.dynamic(resources.workload.resource, namespaced: true, kind: resources.workload.kind)
                    .patch(name, namespace: namespace, type: .merge, patch: patch, options: WriteOptions(fieldManager: Self.fieldManager))
            }
        } catch let error as KubeAPIError where error.isNotFound {
            throw KubeUsageError("\(resources.workload.kind) \(namespace)/\(name) does not exist in \(datacenter): there is no copy to scale yet")
        }
    }

    /// Points the global Service of every reachable member at `datacenter`'s ready endpoints:
    /// the slice of `datacenter` is written first, then slices of other datacenters are removed,
    /// so the global endpoints are never empty while the new site has ready endpoints. Returns
    /// whether anything was written, and a failure per member whose write failed.
    func route(_ sf: ServiceFailover, to datacenter: String, read: ServiceRead) async -> (changed: Bool, failures: [String: String]) {
        guard let target = read.sites[datacenter], target.reachable, let service = target.service ?? read.templateSource(sf.spec)?.service else {
            return (false, [:])
        }
        let namespace = sf.metadata.namespace ?? ""
        let owner = sf.metadata.name ?? ""
        let globalService = GlobalService.service(from: service, owner: owner)
        let slice = GlobalService.slice(service: sf.spec.service, namespace: namespace, owner: owner, datacenter: datacenter, endpointsFrom: target.slices)
        let sliceName = GlobalService.sliceName(of: sf.spec.service, datacenter: datacenter)
        var changed = false, failures: [String: String] = [:]
        for member in read.all where member.reachable {
            do {
                if !(member.globalService.map { GlobalService.sameService($0, globalService) } ?? false) {
                    try await apply(globalService, resource: FailoverResources.services, kind: "Service", in: member.name)
                    changed = true
                }
                let existing = member.globalSlices.first { ReplicaContent.name(of: $0) == sliceName }
                if !(existing.map { GlobalService.sameRouting($0, slice) } ?? false) {
                    try await apply(slice, resource: FailoverResources.endpointSlices, kind: "EndpointSlice", in: member.name)
                    changed = true
                }
                for old in member.globalSlices where ReplicaContent.name(of: old) != sliceName {
                    try await delete(ReplicaContent.name(of: old), resource: FailoverResources.endpointSlices, kind: "EndpointSlice", namespace: namespace, in: member.name)
                    changed = true
                }
            } catch {
                failures[member.name] = "routing \(GlobalService.name(of: sf.spec.service)) in \(member.name): \(error)"
            }
        }
        return (changed, failures)
    }

    /// ActiveActive routing: in every reachable member, one global EndpointSlice per routed
    /// datacenter, with topology hints. A member whose own datacenter has at least
    /// `minLocalReadyReplicas` ready endpoints hints each slice for its source datacenter's zone only,
    /// so its clients stay local; below that, every slice is also hinted for the member's zone, so
    /// its clients use the other datacenters too. Slices of datacenters no longer routed are removed
    /// after the others are written; a routed datacenter out of reach keeps the slice it had.
    func routeActive(_ sf: ServiceFailover, to datacenters: [String], read: ServiceRead) async -> (changed: Bool, failures: [String: String]) {
        guard let service = read.templateSource(sf.spec)?.service ?? read.sites.values.compactMap(\.service).first else { return (false, [:]) }
        let namespace = sf.metadata.namespace ?? ""
        let owner = sf.metadata.name ?? ""
        let minimumLocal = sf.spec.effectivePolicy.effectiveMinLocalReadyReplicas
        let globalService = GlobalService.service(from: service, owner: owner)
        let zone = { (dc: String) -> String in read.sites[dc]?.datacenter.spec.zone ?? read.others[dc]?.datacenter.spec.zone ?? dc }
        let names = Set(datacenters.map { GlobalService.sliceName(of: sf.spec.service, datacenter: $0) })
        var changed = false, failures: [String: String] = [:]
        for member in read.all where member.reachable {
            let local = datacenters.contains(member.name) ? GlobalService.readyEndpoints(of: read.sites[member.name]?.slices ?? []).endpoints.count : 0
            let stayLocal = local >= minimumLocal && local > 0
            do {
                if !(member.globalService.map { GlobalService.sameService($0, globalService) } ?? false) {
                    try await apply(globalService, resource: FailoverResources.services, kind: "Service", in: member.name)
                    changed = true
                }
                for dc in datacenters {
                    guard let source = read.sites[dc], source.reachable else { continue }
                    let hints = stayLocal || dc == member.name ? [zone(dc)] : Array(Set([zone(dc), zone(member.name)])).sorted()
                    let slice = GlobalService.slice(
                        service: sf.spec.service, namespace: namespace, owner: owner, datacenter: dc, endpointsFrom: source.slices, zone: zone(dc), hintZones: hints)
                    let existing = member.globalSlices.first { ReplicaContent.name(of: $0) == ReplicaContent.name(of: slice) }
                    if !(existing.map { GlobalService.sameRouting($0, slice) } ?? false) {
                        try await apply(slice, resource: FailoverResources.endpointSlices, kind: "EndpointSlice", in: member.name)
                        changed = true
                    }
                }
                for old in member.globalSlices where !names.contains(ReplicaContent.name(of: old)) {
                    try await delete(ReplicaContent.name(of: old), resource: FailoverResources.endpointSlices, kind: "EndpointSlice", namespace: namespace, in: member.name)
                    changed = true
                }
            } catch {
                failures[member.name] = "routing \(GlobalService.name(of: sf.spec.service)) in \(member.name): \(error)"
            }
        }
        return (changed, failures)
    }

    /// Applies `object` in `datacenter`, creating its namespace first when the member lacks it.
    func apply(_ object: JSONValue, resource: GroupVersionResource, kind: String, in datacenter: String) async throws {
        let client = try await self.client(datacenter)
        let objects = client.dynamic(resource, namespaced: true, kind: kind)
        try await bounded("writing \(kind) \(ReplicaContent.name(of: object)) in \(datacenter)") {
            do {
                _ = try await objects.apply(object, fieldManager: Self.fieldManager, force: true)
            } catch let error as KubeAPIError where error.isNotFound {
                let namespace = object["metadata"]?["namespace"]?.stringValue ?? ""
                do {
                    _ = try await client.resource(Namespace.self).create(Namespace(metadata: ObjectMeta(name: namespace)))
                } catch let error as KubeAPIError where error.isAlreadyExists {}
                _ = try await objects.apply(object, fieldManager: Self.fieldManager, force: true)
            }
        }
    }

    /// Deletes an object in `datacenter`; one already gone is fine. With `read`, only while it is still
    /// the object read (its uid and resourceVersion as the DELETE's preconditions): one changed since
    /// fails with a conflict, so a decision made from an older view is made again, never acted on.
    func delete(_ name: String, resource: GroupVersionResource, kind: String, namespace: String, in datacenter: String, as read: JSONValue? = nil) async throws {
        let client = try await self.client(datacenter)
        let options = DeleteOptions(preconditions: read.map(Self.preconditions(of:)))
        try await bounded("deleting \(kind) \(name) in \(datacenter)") {
            do {
                _ = try await client.dynamic(resource, namespaced: true, kind: kind).delete(name, namespace: namespace, options: options)
            } catch let error as KubeAPIError where error.isNotFound {}
        }
    }

    /// The preconditions that hold a DELETE to exactly `object`: its uid and resourceVersion.
    static func preconditions(of object: JSONValue) -> Preconditions {
        Preconditions(uid: object["metadata"]?["uid"]?.stringValue, resourceVersion: ReplicaContent.resourceVersion(of: object))
    }

    /// The object `name` as `datacenter` serves it now (nil: not there), read past the caches.
    func live(_ name: String, resource: GroupVersionResource, kind: String, namespace: String, in datacenter: String) async throws -> JSONValue? {
        let client = try await self.client(datacenter)
        return try await withTimeout(writeTimeout, "reading \(kind) \(name) in \(datacenter)", clock: clock) {
            do {
                return try await client.dynamic(resource, namespaced: true, kind: kind).get(name, namespace: namespace)
            } catch let error as KubeAPIError where error.isNotFound {
                return nil
            }
        }
    }

    func client(_ datacenter: String) async throws -> KubeClient {
        guard let connection = await members.existing(datacenter) else { throw KubeUsageError("no connection to \(datacenter)") }
        return connection.client
    }

    func bounded(_ what: String, _ body: @escaping @Sendable () async throws -> Void) async throws {
        try await withTimeout(writeTimeout, what, clock: clock) { try await body() }
    }
}
