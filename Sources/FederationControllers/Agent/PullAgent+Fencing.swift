import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

extension PullAgent {
    /// Fences the member on the hub's behalf: for every FederationPolicy that selects this
    /// datacenter and has a primary, brings the member's marker to the policy's epoch with the same
    /// plan the hub uses for Push members (never overwriting a newer or another policy's marker),
    /// then reports the marker it holds on the Datacenter (``MarkerReport``) so the hub can check
    /// it for split brains and see that the epoch arrived.
    func syncMarker(member: KubeClient) async throws {
        let name = options.datacenter
        let datacenters = hub.resource(Datacenter.self)
        let dc = try await datacenters.get(name)
        let policies = try await hub.resource(FederationPolicy.self).list().items
        let configMaps = member.resource(ConfigMap.self)
        var current = try await withTimeout(.seconds(2), "reading the fencing marker", clock: runtimeClock) { () async throws -> ConfigMap? in
            do {
                return try await configMaps.get(FencingMarker.name, namespace: FencingMarker.namespace)
            } catch let error as KubeAPIError where error.isNotFound {
                return nil
            }
        }
        for policy in policies where !MemberView.members(of: policy, among: [dc]).isEmpty {
            guard let primary = policy.status?.primary, let epoch = policy.status?.epoch, epoch > 0 else { continue }
            let observed = MemberMarker(datacenter: name, configMap: current)
            let plan = Fencing.plan(policy: policy.metadata.name ?? "", primary: primary, epoch: epoch, markers: [observed])
            for write in plan.writes {
                current = try await withTimeout(.seconds(2), "writing the fencing marker", clock: runtimeClock) {
                    switch write.precondition {
                    case .mustNotExist: try await configMaps.create(write.configMap, namespace: FencingMarker.namespace)
                    case .resourceVersion: try await configMaps.update(write.configMap)
                    }
                }
                logger.info("Wrote fencing marker", metadata: [
                    "datacenter": "\(name)", "primary": "\(write.marker.primary)", "epoch": "\(write.marker.epoch)",
                ])
            }
        }
        let report = current.flatMap(FencingMarker.init(configMap:)).map(MarkerReport.value(of:))
        guard dc.metadata.annotations?[MarkerReport.annotation] != report else { return }
        let value: JSONValue = report.map { .string($0) } ?? .null
        _ = try await datacenters.patch(name, type: .merge, patch: ["metadata": ["annotations": [MarkerReport.annotation: value]]])
    }
}
