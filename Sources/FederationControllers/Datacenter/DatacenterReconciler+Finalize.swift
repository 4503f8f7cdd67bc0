import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

extension DatacenterReconciler {
    /// Deletion: stop probing, remove what Concord put into the member, then release the finalizer.
    ///
    /// What follows a failed cleanup is `DatacenterDeletion.decide`'s: retry within
    /// `cleanupTimeout` of the deletion request, then mark the Datacenter `Stalled` with a message
    /// saying what was left behind and release the finalizer anyway, so deletion never blocks forever.
    func finalize(_ dc: Datacenter) async throws -> ReconcileResult {
        let name = dc.metadata.name ?? ""
        prober.stop(name)
        guard dc.metadata.hasFinalizer(Datacenter.finalizer) else {
            await forget(name)
            return .done
        }
        let connection = await members.existing(name)
        let cleanup = await removeFootprint(name, connection)
        let decision = DatacenterDeletion.decide(
            datacenter: name, server: connection?.server ?? "", cleanup: cleanup, deletionRequested: dc.metadata.deletionTimestamp?.date,
            generation: dc.metadata.generation, cleanupTimeout: cleanupTimeout, now: now())
        switch decision {
        case .wait(let conditions):
            try await datacenters.setConditions(conditions, on: dc, empty: DatacenterStatus())
            return .requeue(after: requeue.finalizeRetry)
        case .abandon(let conditions, let message):
            try await datacenters.setConditions(conditions, on: dc, empty: DatacenterStatus())
            logger.warning("Abandoned member cleanup", metadata: ["datacenter": "\(name)", "reason": "\(message)"])
        case .release:
            break
        }
        if try await datacenters.removeFinalizer(Datacenter.finalizer, from: dc) != nil {
            logger.info("Removed finalizer", metadata: ["datacenter": "\(name)"])
        }
        await forget(name)
        return .done
    }

    /// Removes the fencing marker from the member, when there is a connection to it.
    private func removeFootprint(_ name: String, _ connection: MemberConnections.Connection?) async -> MemberCleanup {
        guard let connection else {
            logger.info("No connection to member; nothing to clean up", metadata: ["datacenter": "\(name)"])
            return .noConnection
        }
        do {
            try await MemberFootprint.remove(from: connection.client, timeout: requeue.footprintRemoveTimeout, clock: clock)
            logger.info("Removed fencing marker from member", metadata: ["datacenter": "\(name)"])
            return .removed
        } catch {
            return .failed(error: "\(error)")
        }
    }

    private func forget(_ name: String) async {
        await ledger.forget(name)
        await members.remove(name)
    }
}
