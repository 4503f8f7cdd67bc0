import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

/// What one pass read about one member for a ServiceFailover.
struct MemberServiceView: Sendable {
    /// The Datacenter's name.
    var name: String
    /// The Datacenter, as the hub's cache holds it.
    var datacenter: Datacenter
    /// Its phase says it is reachable, and its caches of the namespace have synced.
    var reachable: Bool
    /// The workload there (native or Concord's copy), when it exists.
    var workload: JSONValue?
    /// The Service there, when it exists.
    var service: JSONValue?
    /// The Service's EndpointSlices there (label `kubernetes.io/service-name`).
    var slices: [JSONValue] = []
    /// The global Service Concord keeps there, when it exists.
    var globalService: JSONValue?
    /// The global EndpointSlices there (label `kubernetes.io/service-name: <service>-global`).
    var globalSlices: [JSONValue] = []

    /// The workload's ready replicas, bounded by the ready endpoints its Service publishes: traffic
    /// is switched only to a site whose endpoints are published.
    var readyReplicas: Int? {
        guard reachable, let workload else { return nil }
        let ready = StandbyCopy.readyReplicas(of: workload)
        guard service != nil else { return ready }
        return min(ready, GlobalService.readyEndpoints(of: slices).endpoints.count)
    }

    /// Whether the workload's status describes its current spec (true when there is none to read).
    var statusCurrent: Bool { workload.map(StandbyCopy.statusIsCurrent) ?? true }
}

/// The resources a ServiceFailover reads in members.
struct FailoverResources: Sendable {
    /// The workload's resource, resolved through the primary's discovery.
    var workload: ResolvedKind
    /// `services` in `v1`.
    static let services = GroupVersionResource(group: "", version: "v1", resource: "services")
    /// `endpointslices` in `discovery.k8s.io/v1`.
    static let endpointSlices = GroupVersionResource(group: "discovery.k8s.io", version: "v1", resource: "endpointslices")
}

/// Everything a pass read: every member's view (the ServiceFailover's datacenters first, in spec order).
struct ServiceRead: Sendable {
    var resources: FailoverResources
    /// Views of the primary and the failover datacenters, by name.
    var sites: [String: MemberServiceView] = [:]
    /// Views of every other member (they get the global Service too), by name.
    var others: [String: MemberServiceView] = [:]
    /// Members whose caches have not synced yet although their phase says reachable.
    var syncing: [String] = []

    /// Every member viewed, sorted by name.
    var all: [MemberServiceView] { (Array(sites.values) + Array(others.values)).sorted { $0.name < $1.name } }

    /// The datacenter whose native workload and Service are the template of the copies: the first
    /// reachable one, `spec.primary` first, where both exist and are not Concord's copies.
    func templateSource(_ spec: ServiceFailoverSpec) -> MemberServiceView? {
        let order = [spec.primary] + spec.failover.map(\.datacenter)
        return order.compactMap { sites[$0] }.first { view in
            guard view.reachable, let workload = view.workload, let service = view.service else { return false }
            return !StandbyCopy.isCopy(workload) && !StandbyCopy.isCopy(service)
        }
    }
}

/// Why a pass cannot plan: a Ready=False condition, Stalled when only a person can fix it.
struct ServiceBlocker: Error, Sendable {
    var reason: String
    var message: String
    var terminal: Bool
}
