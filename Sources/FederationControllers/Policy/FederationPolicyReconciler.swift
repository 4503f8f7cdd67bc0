import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging

/// Reconciles one FederationPolicy: reads the policy and its members from the caches and the
/// markers of the reachable members, asks the core for the plan
/// (``FederationCore/planPolicy(policy:members:markers:now:promotion:fencing:)``), and has the
/// ``PolicyEffectExecutor`` run it. Nothing else: every decision is in the plan.
struct FederationPolicyReconciler: Reconciler {
    let policies: ResourceClient<FederationPolicy>
    let datacenters: ResourceClient<Datacenter>
    let policyCache: InformerCache<FederationPolicy>
    let datacenterCache: InformerCache<Datacenter>
    let members: MemberConnections
    let now: @Sendable () -> Date
    /// How often markers are re-read while nothing else changes (markers live in the members, unwatched).
    let resyncInterval: Duration
    /// Records promotions, demotions, blocked promotions and split brains (events.k8s.io/v1).
    let events: EventRecorder
    let logger: Logger

    /// Plans again this soon after a write failed: the markers are re-read and the plan starts from them.
    static let retryAfterFailedWrite: Duration = .seconds(1)

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let policy = policyCache.get(key) else { return .done }
        let views = MemberView.members(of: policy, among: datacenterCache.list())
        let markers = await readMarkers(PolicyPlan.markerReads(among: views))
        let at = now()
        let plan = planPolicy(policy: policy, members: views, markers: markers, now: at)
        switch try await executor.execute(plan, on: policy) {
        case .stopped: return .requeue(after: Self.retryAfterFailedWrite)
        case .completed: return .requeue(after: delay(plan.requeue, from: at))
        }
    }

    var executor: PolicyEffectExecutor {
        PolicyEffectExecutor(policies: policies, datacenters: datacenters, members: members, events: events, logger: logger)
    }

    /// The delay before the next pass: at the resync, or when a timed wait ends if that is sooner.
    func delay(_ requeue: PolicyRequeue, from at: Date) -> Duration {
        guard case .at(let until) = requeue else { return resyncInterval }
        let seconds = max(0.05, until.timeIntervalSince(at))
        return min(.milliseconds(Int64(seconds * 1000)), resyncInterval)
    }

    /// Reads the markers of the reachable members concurrently; a member that cannot be read is left out (unknown).
    private func readMarkers(_ names: [String]) async -> [MemberMarker] {
        await withTaskGroup(of: MemberMarker?.self) { group in
            for name in names {
                group.addTask {
                    if let dc = datacenterCache.get(name: name), dc.spec.effectiveMode == .pull {
                        // The hub cannot reach a Pull member: its agent fences it and reports the marker.
                        return MarkerReport.marker(of: name, annotations: dc.metadata.annotations)
                    }
                    guard let connection = await members.existing(name) else { return nil }
                    let configMaps = connection.client.resource(ConfigMap.self)
                    do {
                        let cm = try await withTimeout(.seconds(2), "reading the fencing marker of \(name)") {
                            try await configMaps.get(FencingMarker.name, namespace: FencingMarker.namespace)
                        }
                        return MemberMarker(datacenter: name, configMap: cm)
                    } catch let error as KubeAPIError where error.isNotFound {
                        return MemberMarker(datacenter: name, configMap: nil)
                    } catch {
                        return nil
                    }
                }
            }
            var read: [MemberMarker] = []
            for await m in group { if let m { read.append(m) } }
            return read.sorted { $0.datacenter < $1.datacenter }
        }
    }
}
