import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging

/// Runs the effects of a ``FederationCore/PolicyPlan`` against the hub and the members, in order,
/// stopping at the first failed write. It decides nothing: what to write, where and in which order
/// is the plan's.
///
/// - The status write uses the policy's resourceVersion as read (optimistic concurrency); a failure
///   (409 Conflict included) is thrown, and the controller retries with backoff.
/// - A marker write goes to the member within `markerWriteTimeout` on the injected clock; a failure (409, timeout, no connection)
///   stops the pass with ``FederationCore/PolicyOutcome/stopped(at:)``: the reconciler re-reads
///   and plans again.
/// - A role write is a merge patch of the Datacenter's status; a Datacenter deleted meanwhile is
///   skipped, any other failure is thrown.
/// - An event is recorded and never fails the pass.
struct PolicyEffectExecutor {
    let policies: ResourceClient<FederationPolicy>
    let datacenters: ResourceClient<Datacenter>
    let members: Members
    /// Times marker writes (the controllers' injected clock).
    let clock: RuntimeClock
    /// How long one marker write may take (``RequeuePolicy/markerWriteTimeout``).
    let markerWriteTimeout: Duration
    let events: EventRecorder
    let logger: Logger

    /// Runs `plan` for `policy` (as read when planning).
    func execute(_ plan: PolicyPlan, on policy: FederationPolicy) async throws -> PolicyOutcome {
        let name = policy.metadata.name ?? ""
        if plan.decision.isSplitBrain {
            logger.error("Split brain: promotions stopped until a person resolves it", metadata: ["federationpolicy": "\(name)"])
        }
        for effect in plan.effects {
            guard try await perform(effect, plan: plan, policy: policy) else { return .stopped(at: effect) }
        }
        return .completed
    }

    /// Runs one effect; false when a marker write failed.
    func perform(_ effect: PolicyEffect, plan: PolicyPlan, policy: FederationPolicy) async throws -> Bool {
        switch effect {
        case .writeStatus(let status):
            var updated = policy
            updated.status = status
            _ = try await policies.updateStatus(updated)
            if let raised = plan.decision.raisedEpoch {
                logger.info("Promoted primary", metadata: [
                    "federationpolicy": "\(policy.metadata.name ?? "")", "from": "\(raised.from ?? "none")", "to": "\(raised.primary)",
                    "epoch": "\(raised.epoch)", "reason": "\(raised.reason)",
                ])
            }
            return true
        case .writeMarker(let write):
            return await writeMarker(write)
        case .setRole(let datacenter, let role):
            try await setRole(datacenter, role)
            return true
        case .record(let event):
            events.record(event)
            return true
        }
    }

    /// Writes one marker into its member; false on any failure (logged).
    func writeMarker(_ write: MarkerWrite) async -> Bool {
        guard let connection = await members.existing(write.datacenter) else {
            logger.info("No connection to the member; will re-read and retry the fencing marker", metadata: ["datacenter": "\(write.datacenter)"])
            return false
        }
        let configMaps = connection.client.resource(ConfigMap.self)
        do {
            try await withTimeout(markerWriteTimeout, "writing the fencing marker of \(write.datacenter)", clock: clock) {
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
        logger.info("Wrote fencing marker", metadata: [
            "datacenter": "\(write.datacenter)", "primary": "\(write.marker.primary)", "epoch": "\(write.marker.epoch)",
        ])
        return true
    }

    /// Sets a member Datacenter's `status.role` (a merge patch of the status subresource).
    func setRole(_ name: String, _ role: DatacenterRole) async throws {
        do {
            _ = try await datacenters.patch(name, type: .merge, patch: ["status": ["role": .string(role.rawValue)]], subresource: "status")
            logger.info("Set datacenter role", metadata: ["datacenter": "\(name)", "role": "\(role.rawValue)"])
        } catch let error as KubeAPIError where error.isNotFound {}
    }
}

extension EventRecorder {
    /// Records a ``FederationCore/PolicyEvent``.
    func record(_ event: PolicyEvent) {
        self.event(regarding: event.regarding, related: event.related, type: event.type, reason: event.reason, action: event.action, note: event.note)
    }
}
