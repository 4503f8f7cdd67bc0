import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging

/// Reconciles one FederationPolicy: reads the members and their fencing markers, asks
/// `planPromotion` what to do, writes the policy status (the epoch is raised there first), then
/// brings every reachable member's marker to the epoch in force, in the fencing order, stopping at
/// the first failure, and keeps each Datacenter's `status.role` in step.
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
        let name = policy.metadata.name ?? ""
        let views = MemberView.members(of: policy, among: datacenterCache.list())
        let markers = await readMarkers(views.filter(\.reachable).map(\.name))
        let at = now()
        let decision = planPromotion(policy: policy, members: views, markers: markers, quorum: QuorumView(members: views), now: at)
        let status = FederationPolicyStatusBuilder.build(policy: policy, members: views, markers: markers, decision: decision, now: at)

        if status != policy.status {
            var updated = policy
            updated.status = status
            // The epoch is raised in the policy before any marker is written.
            _ = try await policies.updateStatus(updated)
            for event in PolicyEvents.forStatusChange(policy: policy, status: status, decision: decision, datacenter: reference) {
                events.record(event)
            }
            if let raised = decision.raisedEpoch {
                logger.info("Promoted primary", metadata: [
                    "federationpolicy": "\(name)", "from": "\(raised.from ?? "none")", "to": "\(raised.primary)",
                    "epoch": "\(raised.epoch)", "reason": "\(raised.reason)",
                ])
            }
        }
        if decision.isSplitBrain {
            logger.error("Split brain: promotions stopped until a person resolves it", metadata: ["federationpolicy": "\(name)"])
            return .requeue(after: resyncInterval)
        }
        if let primary = status.primary, let epoch = status.epoch, epoch > 0 {
            let plan = Fencing.plan(policy: name, primary: primary, epoch: epoch, markers: markers)
            guard try await apply(plan, policy: policy, lastPromotionReason: status.lastPromotion?.reason, markers: markers) else { return .requeue(after: requeue.markerRetry) }
            try await syncRoles(views.map(\.name), primary: primary)
        }
        if case .wait(let until, _, _) = decision {
            let seconds = max(0.05, until.timeIntervalSince(at))
            return .requeue(after: min(.milliseconds(Int64(seconds * 1000)), resyncInterval))
        }
        return .requeue(after: resyncInterval)
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

    /// Applies the marker writes in order; returns false at the first failure (re-read and plan again).
    private func apply(_ plan: FencingPlan, policy: FederationPolicy, lastPromotionReason: String?, markers: [MemberMarker]) async throws -> Bool {
        for write in plan.writes {
            if isPull(write.datacenter) { continue }  // its agent writes it; Promoting stays True until it reports
            guard let connection = await members.existing(write.datacenter) else { return false }
            let configMaps = connection.client.resource(ConfigMap.self)
            do {
                try await withTimeout(requeue.markerWriteTimeout, "writing the fencing marker of \(write.datacenter)", clock: clock) {
                    switch write.precondition {
                    case .mustNotExist: _ = try await configMaps.create(write.configMap, namespace: FencingMarker.namespace)
                    case .resourceVersion: _ = try await configMaps.update(write.configMap)
                    }
                }
            } catch {
                logger.info("Fencing marker write failed; will re-read and retry", metadata: [
                    "datacenter": "\(write.datacenter)", "epoch": "\(write.marker.epoch)", "error": "\(error)",
                ])
                return false
            }
            try await setRole(write.datacenter, write.role)
            let previous = markers.first { $0.datacenter == write.datacenter }
            if let event = PolicyEvents.forMarkerWrite(
                write, previous: previous, policy: policy, lastPromotionReason: lastPromotionReason, datacenter: reference) {
                events.record(event)
            }
            logger.info("Wrote fencing marker", metadata: [
                "datacenter": "\(write.datacenter)", "primary": "\(write.marker.primary)", "epoch": "\(write.marker.epoch)",
            ])
        }
        return true
    }

    private func isPull(_ name: String) -> Bool { datacenterCache.get(name: name)?.spec.effectiveMode == .pull }

    /// A reference to a member Datacenter, with its uid when the cache has it.
    private func reference(_ name: String) -> ObjectReference {
        datacenterCache.get(name: name).map { ObjectReference(to: $0) } ?? PolicyEvents.datacenterReference(name)
    }

    /// Brings each member Datacenter's `status.role` in step with the primary in force.
    private func syncRoles(_ names: [String], primary: String) async throws {
        for name in names {
            try await setRole(name, Fencing.role(of: name, primary: primary))
        }
    }

    private func setRole(_ name: String, _ role: DatacenterRole) async throws {
        guard let dc = datacenterCache.get(name: name), dc.status?.role != role else { return }
        do {
            _ = try await datacenters.patch(name, type: .merge, patch: ["status": ["role": .string(role.rawValue)]], subresource: "status")
            logger.info("Set datacenter role", metadata: ["datacenter": "\(name)", "role": "\(role.rawValue)"])
        } catch let error as KubeAPIError where error.isNotFound {}
    }
}
