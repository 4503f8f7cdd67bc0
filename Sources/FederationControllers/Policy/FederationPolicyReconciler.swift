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
    /// Member clients (marker writes) and the member informers the markers are read from.
    let members: Members
    /// Bounds marker writes (the context's clock).
    let clock: RuntimeClock
    let now: @Sendable () -> Date
    /// The resync interval, the marker retry and the marker write time limit.
    let requeue: RequeuePolicy
    /// How often a policy is reconciled while nothing changes (markers and Datacenters arrive as events).
    var resyncInterval: Duration { requeue.policyResync }
    /// Records promotions, demotions, blocked promotions and split brains (events.k8s.io/v1).
    let events: EventRecorder
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let policy = policyCache.get(key) else { return .done }
        let views = MemberView.members(of: policy, among: datacenterCache.list())
        let markers = await readMarkers(PolicyPlan.markerReads(among: views))
        let at = now()
        let plan = planPolicy(policy: policy, members: views, markers: markers, now: at)
        switch try await executor.execute(plan, on: policy) {
        case .stopped: return .requeue(after: requeue.markerRetry)
        case .completed: return .requeue(after: delay(plan.requeue, from: at))
        }
    }

    var executor: PolicyEffectExecutor {
        PolicyEffectExecutor(
            policies: policies, datacenters: datacenters, members: members, clock: clock,
            markerWriteTimeout: requeue.markerWriteTimeout, events: events, logger: logger)
    }

    /// The delay before the next pass: at the resync, or when a timed wait ends if that is sooner.
    func delay(_ requeue: PolicyRequeue, from at: Date) -> Duration {
        guard case .at(let until) = requeue else { return resyncInterval }
        let seconds = max(0.05, until.timeIntervalSince(at))
        return min(.milliseconds(Int64(seconds * 1000)), resyncInterval)
    }

    /// Reads the markers of the reachable members from their member informers (started here on
    /// first use; each caches only the marker). A member whose informer has not synced yet is left
    /// out (unknown); its sync wakes the policy again.
    private func readMarkers(_ names: [String]) async -> [MemberMarker] {
        var read: [MemberMarker] = []
        for name in names {
            if let dc = datacenterCache.get(name: name), dc.spec.effectiveMode == .pull {
                // The hub cannot reach a Pull member: its agent fences it and reports the marker.
                if let marker = MarkerReport.marker(of: name, annotations: dc.metadata.annotations) { read.append(marker) }
                continue
            }
            guard let markers = await members.informer(
                for: ConfigMap.self, in: name, namespace: FederationPolicyController.markerNamespace, options: FederationPolicyController.markerOptions),
                markers.hasSynced
            else { continue }
            read.append(MemberMarker(datacenter: name, configMap: markers.cache.get(name: FencingMarker.name, namespace: FencingMarker.namespace)))
        }
        return read.sorted { $0.datacenter < $1.datacenter }
    }
}
