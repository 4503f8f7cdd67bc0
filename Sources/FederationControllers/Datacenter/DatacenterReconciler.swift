import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging
import Synchronization

/// Reconciles one Datacenter: keeps the cleanup finalizer on it, connects to the member with the
/// kubeconfig in its credentials Secret (Push mode), keeps its probe loop running, folds every
/// finished probe into its status through `DatacenterHealth`, and writes status only on change.
///
/// Read → plan → write → status: the decisions are `FederationCore`'s; this type only fetches
/// and writes. The status computed between writes lives in the `ProbeLedger`; after a restart or
/// a change of leader the status read from the API server seeds it, so no clock is lost.
struct DatacenterReconciler: Reconciler {
    let datacenters: ResourceClient<Datacenter>
    let secrets: ResourceClient<Secret>
    let leases: ResourceClient<Lease>
    let cache: InformerCache<Datacenter>
    let ledger: ProbeLedger
    let prober: HealthProber
    let members: Members
    /// Bounds member calls (the context's clock).
    let clock: RuntimeClock
    let now: @Sendable () -> Date
    /// How long deletion waits for an unreachable member before giving up on its cleanup.
    let cleanupTimeout: TimeInterval
    /// Retry delays, the credentials refresh and member time limits.
    let requeue: RequeuePolicy
    let metrics: DatacenterMetrics
    let events: EventRecorder
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let name = key.name
        guard let dc = cache.get(key) else {
            metrics.forget(name)
            prober.stop(name)
            await ledger.forget(name)
            await members.remove(name)
            return .done
        }
        if dc.metadata.deletionTimestamp != nil {
            return try await finalize(dc)
        }
        if !dc.metadata.hasFinalizer(Datacenter.finalizer) {
            try await datacenters.ensureFinalizer(Datacenter.finalizer, on: dc)
            logger.info("Added finalizer", metadata: ["datacenter": "\(name)"])
            return .done
        }
        var requeue: Duration?
        switch dc.spec.effectiveMode {
        case .push:
            requeue = try await connect(dc)
        case .pull:
            // The agent renews a Lease in the hub; probing reads it. Nothing to connect to.
            await members.remove(name)
            let hc = dc.spec.effectiveHealthCheck
            let lease = LeaseProbe(leases: leases, datacenter: name, clock: clock, now: now)
            prober.ensure(name, ProbeTarget(revision: "pull/\(hc.periodSeconds)/\(hc.timeoutSeconds)", healthCheck: hc) { timeout in
                await lease.probe(timeout: timeout)
            })
        }
        let status = try await writeStatus(dc)
        if status.conditions.isTrue(Datacenter.ConditionType.registered) {
            await installFootprint(dc)
        }
        return requeue.map { .requeue(after: $0) } ?? .done
    }

    // MARK: - Registration

    /// Ensures a probe loop with the member client built from the credentials Secret.
    /// Returns when to look again if registration could not proceed.
    private func connect(_ dc: Datacenter) async throws -> Duration? {
        let name = dc.metadata.name ?? ""
        guard let ref = dc.spec.credentialsRef else {
            await registrationFailed(name, "spec.credentialsRef is required in Push mode: name a Secret holding a kubeconfig for the member")
            return requeue.missingCredentialsRef
        }
        // The Secret is read again at once when the Datacenter names other credentials (another
        // Secret or key, or a new credentials-revision annotation), else every credentialsRefresh.
        if let existing = await members.existing(name), prober.isProbing(name), existing.credentialsSource == dc.credentialsSource,
            now().timeIntervalSince(existing.checkedAt) < requeue.credentialsRefresh.timeInterval
        {
            prober.ensure(name, target(for: dc, client: existing.client, secretRevision: existing.secretRevision))
            return nil
        }
        let secretName = "\(ref.effectiveNamespace)/\(ref.name)"
        let secret: Secret
        do {
            secret = try await secrets.get(ref.name, namespace: ref.effectiveNamespace)
        } catch let error as KubeAPIError where error.isNotFound {
            await registrationFailed(name, "Secret \(secretName) not found: create it with a kubeconfig for the member under key \"\(ref.effectiveKey)\"")
            return requeue.credentialsRetry
        } catch let error where error.isLastingSecretFailure {
            // Forbidden or undecodable: the status says so rather than staying empty (hub hiccups are retried).
            await registrationFailed(name, "cannot read Secret \(secretName): \(error)")
            return requeue.credentialsRetry
        }
        guard let encoded = secret.data?[ref.effectiveKey], let raw = Data(base64Encoded: encoded),
            let kubeconfig = String(data: raw, encoding: .utf8)
        else {
            await registrationFailed(name, "Secret \(secretName) has no key \"\(ref.effectiveKey)\" holding a kubeconfig")
            return requeue.credentialsRetry
        }
        do {
            let connection = try await members.connection(
                for: name, secretRevision: secret.metadata.resourceVersion ?? "", credentialsSource: dc.credentialsSource, kubeconfig: kubeconfig,
                source: "Secret \(secretName) key \(ref.effectiveKey)", now: now())
            prober.ensure(name, target(for: dc, client: connection.client, secretRevision: connection.secretRevision))
            return nil
        } catch {
            await registrationFailed(name, "the kubeconfig in Secret \(secretName) is unusable: \(error)")
            return requeue.credentialsRetry
        }
    }

    private func target(for dc: Datacenter, client: KubeClient, secretRevision: String) -> ProbeTarget {
        let hc = dc.spec.effectiveHealthCheck
        let versions = VersionSchedule()
        let memory = ProbeMemory()
        let name = dc.metadata.name ?? ""
        let metrics = self.metrics
        return ProbeTarget(
            revision: "\(secretRevision)/\(hc.periodSeconds)/\(hc.timeoutSeconds)",
            healthCheck: hc,
            probe: { timeout in
                let result = await MemberProbe.probe(client, timeout: timeout, wantVersion: versions.next(), memory: memory)
                metrics.probed(name, result)
                metrics.circuit(name, client.circuitBreaker?.phase)
                return result
            })
    }

    private func registrationFailed(_ name: String, _ reason: String) async {
        // A condition message is capped at 32768 bytes: a huge Secret name must not make the status unwritable.
        let message = reason.utf8.count > 2048 ? String(String.UnicodeScalarView(reason.unicodeScalars.prefix(1024))) + "…" : reason
        prober.stop(name)
        await members.remove(name)
        await ledger.record(name, .failure(reason: Datacenter.Reason.credentialsUnavailable, message: message), at: now())
        logger.info("Datacenter cannot be registered", metadata: ["datacenter": "\(name)", "reason": "\(message)"])
    }

    private func installFootprint(_ dc: Datacenter) async {
        let name = dc.metadata.name ?? ""
        guard let connection = await members.existing(name), !connection.footprintInstalled else { return }
        do {
            try await MemberFootprint.install(on: connection.client, datacenter: name, timeout: requeue.footprintInstallTimeout, clock: clock)
            await members.markFootprintInstalled(name)
            logger.info("Installed fencing marker in member", metadata: ["datacenter": "\(name)"])
        } catch {
            logger.warning("Could not install fencing marker in member; will retry", metadata: ["datacenter": "\(name)", "error": "\(error)"])
        }
    }

    // MARK: - Status

    /// Folds pending probes into the computed status and writes it when something a reader cares about changed.
    @discardableResult
    private func writeStatus(_ dc: Datacenter) async throws -> DatacenterStatus {
        let name = dc.metadata.name ?? ""
        let generation = dc.metadata.generation ?? 1
        let healthCheck = dc.spec.effectiveHealthCheck
        let (observations, computed) = await ledger.drain(name)
        var status = computed ?? dc.status ?? DatacenterStatus()
        // The object decodes, so a mark left while it did not is stale.
        if status.conditions.condition(Datacenter.ConditionType.stalled)?.reason == InvalidObjectReporter.reason { status.conditions.remove(Datacenter.ConditionType.stalled) }
        status.role = dc.status?.role
        for o in observations {
            status = DatacenterHealth.evaluate(previous: status, probe: o.result, healthCheck: healthCheck, generation: generation, now: o.at)
        }
        if observations.isEmpty {
            status = DatacenterHealth.observe(status, generation: generation, now: now())
        }
        await ledger.setComputed(name, status)
        guard DatacenterHealth.needsWrite(written: dc.status, computed: status, healthCheck: healthCheck, now: now()) else {
            return status
        }
        // Only the fields this controller owns, without a resourceVersion precondition: `role` is the
        // FederationPolicy controller's, so neither overwrites the other and neither gets a 409.
        let written = try await datacenters.patchStatus(dc, fields: Self.ownedStatusFields, from: status)
        if dc.status?.phase != status.phase {
            let from = dc.status?.phase?.rawValue ?? "none"
            let to = status.phase?.rawValue ?? "none"
            logger.info("Datacenter phase changed", metadata: ["datacenter": "\(name)", "from": "\(from)", "to": "\(to)"])
            let detail = status.conditions.first { $0.type == Datacenter.ConditionType.ready }?.message ?? ""
            events.event(
                regarding: ObjectReference(to: written), type: status.phase == .unreachable || status.phase == .suspect ? Event.warning : Event.normal,
                reason: "Datacenter\(to)", action: "Probe", note: "Phase changed from \(from) to \(to)" + (detail.isEmpty ? "" : ": \(detail)"))
        }
        return status
    }

    /// Every field of `status` this controller writes: all but `role`, which the FederationPolicy controller owns.
    static let ownedStatusFields = [
        "observedGeneration", "phase", "serverVersion", "latencyMilliseconds", "consecutiveFailures",
        "consecutiveSuccesses", "lastProbeTime", "unhealthySince", "conditions",
    ]
}

extension Error {
    /// A refusal to read a Secret that retrying will not cure (403, 422, a body that does not decode).
    fileprivate var isLastingSecretFailure: Bool {
        if let api = self as? KubeAPIError { return api.statusCode < 500 && !api.isTooManyRequests }
        return (self as? KubeTransportError)?.code == .invalidResponse
    }
}

/// Asks for the member's version on the first probe and then every `every` probes.
final class VersionSchedule: Sendable {
    private let count = Mutex(0)
    private let every: Int
    init(every: Int = 30) { self.every = every }
    func next() -> Bool {
        count.withLock { c in
            defer { c += 1 }
            return c % every == 0
        }
    }
}
