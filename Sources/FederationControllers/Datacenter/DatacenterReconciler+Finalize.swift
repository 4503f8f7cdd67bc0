import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

extension DatacenterReconciler {
    /// Deletion: stop probing, remove what Concord put into the member, then release the finalizer.
    ///
    /// A member that cannot be reached is retried until `cleanupTimeout` after the deletion was
    /// requested; then the Datacenter is marked `Stalled` with a message saying what was left
    /// behind, and the finalizer is released anyway, so deletion never blocks forever.
    func finalize(_ dc: Datacenter) async throws -> ReconcileResult {
        let name = dc.metadata.name ?? ""
        prober.stop(name)
        guard dc.metadata.hasFinalizer(Datacenter.finalizer) else {
            await forget(name)
            return .done
        }
        let connection = await members.existing(name)
        if let connection {
            do {
                try await MemberFootprint.remove(from: connection.client, timeout: .seconds(5))
                logger.info("Removed fencing marker from member", metadata: ["datacenter": "\(name)"])
                try await releaseFinalizer(dc)
                await forget(name)
                return .done
            } catch {
                let requested = dc.metadata.deletionTimestamp?.date ?? now()
                let waited = now().timeIntervalSince(requested)
                if waited < cleanupTimeout {
                    try await markFinalizing(dc, "waiting for member \(name) (\(connection.server)) to remove the fencing marker: \(error); giving up in \(Int(cleanupTimeout - waited)) s")
                    return .requeue(after: .seconds(2))
                }
                let message = "member \(name) (\(connection.server)) could not be reached for \(Int(cleanupTimeout)) s during deletion; ConfigMap \(FencingMarker.namespace)/\(FencingMarker.name) was left in it: delete it there by hand once the member is back"
                try await markStalled(dc, message)
                logger.warning("Abandoned member cleanup", metadata: ["datacenter": "\(name)", "reason": "\(message)"])
            }
        } else {
            logger.info("No connection to member; nothing to clean up", metadata: ["datacenter": "\(name)"])
        }
        try await releaseFinalizer(dc)
        await forget(name)
        return .done
    }

    private func forget(_ name: String) async {
        await ledger.forget(name)
        await members.remove(name)
    }

    private func releaseFinalizer(_ dc: Datacenter) async throws {
        let remaining = (dc.metadata.finalizers ?? []).filter { $0 != Datacenter.finalizer }
        let patch: JSONValue = [
            "metadata": [
                "finalizers": remaining.isEmpty ? .null : .array(remaining.map { .string($0) }),
                "resourceVersion": .string(dc.metadata.resourceVersion ?? ""),
            ],
        ]
        do {
            _ = try await datacenters.patch(dc.metadata.name ?? "", type: .merge, patch: patch)
            logger.info("Removed finalizer", metadata: ["datacenter": "\(dc.metadata.name ?? "")"])
        } catch let error as KubeAPIError where error.isNotFound {}
    }

    private func markFinalizing(_ dc: Datacenter, _ message: String) async throws {
        try await setConditions(dc, [
            Condition(type: Datacenter.ConditionType.reconciling, status: .true, observedGeneration: dc.metadata.generation, lastTransitionTime: KubeTime(now()), reason: CommonReason.finalizing, message: message),
        ])
    }

    private func markStalled(_ dc: Datacenter, _ message: String) async throws {
        try await setConditions(dc, [
            Condition(type: Datacenter.ConditionType.reconciling, status: .false, observedGeneration: dc.metadata.generation, lastTransitionTime: KubeTime(now()), reason: CommonReason.cleanupTimedOut, message: message),
            Condition(type: Datacenter.ConditionType.stalled, status: .true, observedGeneration: dc.metadata.generation, lastTransitionTime: KubeTime(now()), reason: CommonReason.cleanupTimedOut, message: message),
        ])
    }

    private func setConditions(_ dc: Datacenter, _ conditions: [Condition]) async throws {
        var updated = dc
        var status = dc.status ?? DatacenterStatus()
        var changed = false
        for c in conditions { changed = status.conditions.set(c) || changed }
        guard changed else { return }
        updated.status = status
        do {
            _ = try await datacenters.updateStatus(updated)
        } catch let error as KubeAPIError where error.isNotFound {}
    }
}
