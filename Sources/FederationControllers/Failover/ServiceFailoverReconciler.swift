import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging

/// Reconciles one ServiceFailover: reads every member's view of its namespace, keeps the warm
/// standby copies current, asks the core for the pass (``FederationCore/planService(_:)``), runs its
/// effects in order, keeps the global Service routed to the active datacenter, and writes status.
///
/// Every decision is the core's, and every input it reads is persisted (Datacenter status, this
/// object's status), so a new leader continues a failover where the old one stopped. Status is
/// written only after the pass's effects succeeded: a controller that dies in between re-plans the
/// same step from the previous status, and every effect is idempotent.
struct ServiceFailoverReconciler: Reconciler {
    let failovers: ResourceClient<ServiceFailover>
    let cache: InformerCache<ServiceFailover>
    let datacenterCache: InformerCache<Datacenter>
    let members: Members
    let kinds: ReplicatedKinds
    let watches: FailoverWatches
    let clock: RuntimeClock
    let now: @Sendable () -> Date
    let requeue: RequeuePolicy
    /// How long a deletion waits for unreachable members before leaving their copies behind.
    let cleanupTimeout: TimeInterval
    let events: EventRecorder
    let metrics: FailoverMetrics
    /// Statuses written but maybe not in the cache yet.
    let written = WrittenStatuses<ServiceFailoverStatus>()
    /// Moves already counted in the metrics.
    let counted = CountedMoves()
    let logger: Logger

    /// How often a settled ServiceFailover is looked at while nothing changes (member events and
    /// Datacenter changes wake it sooner; this bounds how long a missed one can delay a step).
    static let resync: Duration = .seconds(10)

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard key.namespace != nil else { return await watchLeftovers(in: key.name) }
        guard let cached = cache.get(key) else {
            written.forget(key)
            return try await collectOrphans(key)
        }
        var sf = cached
        if let status = written.status(for: key, version: cached.metadata.resourceVersion) { sf.status = status }
        if sf.metadata.deletionTimestamp != nil { return try await finalize(sf) }
        if !sf.metadata.hasFinalizer(FederationFinalizer.cleanup), let updated = try await failovers.ensureFinalizer(FederationFinalizer.cleanup, on: sf) {
            sf.metadata.resourceVersion = updated.metadata.resourceVersion
        }
        let activeActive = sf.spec.effectiveMode == .activeActive
        if let invalid = activeActive ? validateActiveActive(sf) : validate(sf) { return try await blocked(sf, invalid) }
        if let claimed = claimBlocker(sf) { return try await blocked(sf, claimed) }
        let read: ServiceRead
        switch await self.read(sf, involved: activeActive ? placementSites(sf) : Set([sf.spec.primary] + sf.spec.failover.map(\.datacenter))) {
        case .failure(let blocker): return try await blocked(sf, blocker)
        case .success(let r): read = r
        }
        if let missing = missingTemplate(sf, read) { return try await blocked(sf, missing) }
        let executor = ServiceEffectExecutor(members: members, resources: read.resources, clock: clock, writeTimeout: requeue.replicationWriteTimeout, logger: logger)
        let ref = ObjectReference(to: sf)
        let copies = await executor.syncCopies(sf, read: read)
        for datacenter in copies.created {
            events.event(regarding: ref, type: Event.normal, reason: Reason.standbyCreated, action: "Standby",
                         note: "Created the copy of \(sf.spec.effectiveWorkload.effectiveKind) \(sf.spec.effectiveWorkload.name ?? sf.spec.service) and Service \(sf.spec.service) in \(datacenter).",
                         instance: datacenter)
        }
        report(copies.failures, sf)
        if activeActive { return try await reconcileActiveActive(sf, read: read, created: copies.created, executor: executor) }
        let input = self.input(sf, read)
        let plan = planService(input)
        for effect in plan.effects {
            do {
                try await perform(effect, sf: sf, read: read, executor: executor)
            } catch {
                report(["": "\(describe(effect)) failed: \(error)"], sf)
                throw error
            }
        }
        // Between moves, keep the global endpoints following the active datacenter's (a pass that
        // switched traffic already wrote them).
        let switched = plan.effects.contains { if case .switchTraffic = $0 { true } else { false } }
        if !switched, let active = plan.status.activeDatacenter, plan.status.lastTransition?.completedAt != nil || plan.status.lastTransition == nil {
            report(await executor.route(sf, to: active, read: read).failures, sf)
        }
        var status = plan.status
        status.primaryReplicas = input.primaryReplicas
        var scaled: [String: Int] = [:]
        for case .scale(let datacenter, let replicas) in plan.effects { scaled[datacenter] = replicas }
        status.datacenters = discoveryView(sf, read: read, scaled: scaled)
        try await writeStatus(status, of: sf)
        recordMetrics(status, sf)
        let syncing = read.syncing.isEmpty ? nil : Duration.seconds(1)
        let after = plan.requeueAfter.map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) }
        return .requeue(after: [after, syncing, Self.resync].compactMap { $0 }.min() ?? Self.resync)
    }

    /// The workload or Service is missing where it should be defined: the primary is reachable,
    /// serves the Service, and has neither the native objects nor Concord's copies.
    func missingTemplate(_ sf: ServiceFailover, _ read: ServiceRead) -> ServiceBlocker? {
        guard read.templateSource(sf.spec) == nil, let primary = read.sites[sf.spec.primary], primary.reachable,
            (sf.status?.activeDatacenter ?? sf.spec.primary) == sf.spec.primary
        else { return nil }
        let workload = sf.spec.effectiveWorkload
        var missing: [String] = []
        if primary.workload == nil { missing.append("\(workload.effectiveKind) \(workload.name ?? sf.spec.service)") }
        if primary.service == nil { missing.append("Service \(sf.spec.service)") }
        guard !missing.isEmpty else { return nil }
        return ServiceBlocker(
            reason: Reason.serviceNotFound,
            message: "\(missing.joined(separator: " and ")) not found in namespace \(sf.metadata.namespace ?? "") of the primary \(sf.spec.primary); deploy it there first.",
            terminal: true)
    }

    func perform(_ effect: ServiceEffect, sf: ServiceFailover, read: ServiceRead, executor: ServiceEffectExecutor) async throws {
        switch effect {
        case .scale(let datacenter, let replicas):
            try await executor.scale(sf, in: datacenter, to: replicas)
        case .switchTraffic(let datacenter):
            let routed = await executor.route(sf, to: datacenter, read: read)
            if let failure = routed.failures.sorted(by: { $0.key < $1.key }).first {
                // Members that could not be written get the route on a later pass; the others already switched.
                logger.info("Global Service not switched everywhere yet", metadata: ["datacenter": "\(failure.key)", "error": "\(failure.value)"])
            }
            events.event(regarding: ObjectReference(to: sf), type: Event.normal, reason: Reason.trafficSwitched, action: "SwitchTraffic",
                         note: "\(GlobalService.name(of: sf.spec.service)) in every reachable member now points at \(datacenter).")
        case .event(let warning, let reason, let message):
            events.event(regarding: ObjectReference(to: sf), type: warning ? Event.warning : Event.normal, reason: reason, action: "Failover", note: message)
        case .route(let datacenters):
            report(await executor.routeActive(sf, to: datacenters, read: read).failures, sf)
        }
    }

    /// Counts a move that started, times one that completed (once: the status written says which);
    /// one that started and completed in the same pass (an ActiveActive first placement whose shares
    /// already run, say) is both. An ActiveActive redistribution counts in its own series.
    func recordMetrics(_ status: ServiceFailoverStatus, _ sf: ServiceFailover) {
        guard let move = status.lastTransition, sf.status?.lastTransition != move,
            counted.first(ObjectKey(namespace: sf.metadata.namespace, name: sf.metadata.name ?? ""), move)
        else { return }
        let service = "\(sf.metadata.namespace ?? "")/\(sf.metadata.name ?? "")"
        let activeActive = sf.spec.effectiveMode == .activeActive
        let counts = Self.counts(move, previous: sf.status?.lastTransition)
        if counts.started {
            if activeActive { metrics.redistributionStarted(move, service: service) } else { metrics.started(move, service: service) }
        }
        if counts.completed {
            if activeActive { metrics.redistributionSettled(move, service: service) } else { metrics.completed(move, service: service) }
        }
    }

    /// Whether `move`, a status's new last transition, counts as a start and as a completion against
    /// `previous` (the last transition of the status read): started unless `previous` already showed
    /// this move in flight, completed once it has `completedAt`.
    static func counts(_ move: FailoverTransition, previous: FailoverTransition?) -> (started: Bool, completed: Bool) {
        let seenStarting = previous?.startedAt == move.startedAt && previous?.reason == move.reason && previous?.to == move.to
        return (move.completedAt == nil || !seenStarting, move.completedAt != nil)
    }

    func describe(_ effect: ServiceEffect) -> String {
        switch effect {
        case .scale(let datacenter, let replicas): "scaling to \(replicas) in \(datacenter)"
        case .switchTraffic(let datacenter): "switching traffic to \(datacenter)"
        case .route(let datacenters): "routing to \(datacenters.joined(separator: ", "))"
        case .event(_, let reason, _): "recording \(reason)"
        }
    }

    /// Logs member write failures and records one Warning event per pass.
    func report(_ failures: [String: String], _ sf: ServiceFailover) {
        guard !failures.isEmpty else { return }
        let message = failures.sorted { $0.key < $1.key }.map(\.value).joined(separator: "; ")
        logger.info("Member write failed; the next pass plans again", metadata: ["servicefailover": "\(sf.metadata.namespace ?? "")/\(sf.metadata.name ?? "")", "error": "\(message)"])
        events.event(regarding: ObjectReference(to: sf), type: Event.warning, reason: Reason.memberWriteFailed, action: "Failover", note: message)
    }
}
