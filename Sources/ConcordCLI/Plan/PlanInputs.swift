import FederationAPI
import FederationCore
import Foundation
import KubeClient

/// What the FederationPolicy controller reads for one pass, read once from the hub and the members:
/// policies and Datacenters from the hub, fencing markers from each reachable member (Push: with
/// the kubeconfig in its `credentialsRef` Secret; Pull: the marker its agent reported).
struct PlanInputs {
    var policies: [FederationPolicy]
    var datacenters: [Datacenter]
    /// The markers read, by datacenter; a member missing here could not be read (unknown, as for the controller).
    var markers: [String: MemberMarker]
    /// Members whose marker could not be read, and why.
    var unreadable: [String: String]

    /// Reads everything; reads nothing it does not need and writes nothing.
    static func read(from hub: KubeClient) async throws -> PlanInputs {
        let policies = try await hub.resource(FederationPolicy.self).list().items
        let datacenters = try await hub.resource(Datacenter.self).list().items
        var inputs = PlanInputs(policies: policies, datacenters: datacenters, markers: [:], unreadable: [:])
        let views = datacenters.map { MemberView(name: $0.metadata.name ?? "", spec: $0.spec, status: $0.status) }
        for name in PolicyPlan.markerReads(among: views) {
            guard let dc = datacenters.first(where: { $0.metadata.name == name }) else { continue }
            do {
                if let marker = try await marker(of: dc, hub: hub) { inputs.markers[name] = marker }
            } catch {
                inputs.unreadable[name] = "\(error)"
            }
        }
        return inputs
    }

    /// The member's marker as the controller reads it: Pull from the Datacenter's annotations, Push from the member.
    private static func marker(of dc: Datacenter, hub: KubeClient) async throws -> MemberMarker? {
        let name = dc.metadata.name ?? ""
        if dc.spec.effectiveMode == .pull { return MarkerReport.marker(of: name, annotations: dc.metadata.annotations) }
        return try await MemberCredentials.with(dc, hub: hub, timeout: .seconds(5)) { member in
            do {
                let configMap = try await member.resource(ConfigMap.self).get(FencingMarker.name, namespace: FencingMarker.namespace)
                return MemberMarker(datacenter: name, configMap: configMap)
            } catch let error as KubeAPIError where error.isNotFound {
                return MemberMarker(datacenter: name, configMap: nil)
            }
        }
    }

    /// The members of `policy` as the controller sees them, with the assumptions of `--if-unreachable`
    /// (Unreachable for the policy's `unreachableForSeconds` already, so not reachable and its marker unknown)
    /// and `--if-cordoned` (`spec.unschedulable`) applied.
    func members(of policy: FederationPolicy, unreachable: Set<String>, cordoned: Set<String>, now: Date) -> [MemberView] {
        let waited = TimeInterval(policy.spec.effectivePromotion.effectiveUnreachableForSeconds)
        return MemberView.members(of: policy, among: datacenters).map { view in
            var view = view
            if cordoned.contains(view.name) { view.unschedulable = true }
            if unreachable.contains(view.name) {
                view.phase = .unreachable
                view.reachable = false
                view.reachableSince = nil
                view.readySince = nil
                view.unreachableSince = min(view.unreachableSince ?? now, now.addingTimeInterval(-waited))
            }
            return view
        }
    }

    /// The markers the controller would read for these members (none of an assumed-unreachable one).
    func markers(for members: [MemberView]) -> [MemberMarker] {
        PolicyPlan.markerReads(among: members).compactMap { markers[$0] }
    }
}
