import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging
import Synchronization

/// Reconciles one ReplicationRule: reads the source and target objects from the member caches,
/// asks the core for the plan (``FederationCore/planReplication(rule:source:epoch:sources:targets:now:sourceWrittenAt:)``),
/// has the ``ReplicationEffectExecutor`` run it per target, and writes status. Every decision is
/// in the plan; input the rule cannot act on becomes a Ready=False (and, if only a person can fix
/// it, Stalled=True) condition on this rule alone.
struct ReplicationRuleReconciler: Reconciler {
    let rules: ResourceClient<ReplicationRule>
    let ruleCache: InformerCache<ReplicationRule>
    let datacenterCache: InformerCache<Datacenter>
    let policyCache: InformerCache<FederationPolicy>
    /// Member clients (replica writes, discovery) and the member informers objects are read from.
    let members: Members
    let kinds: ReplicatedKinds
    let watches: ReplicationWatches
    /// Bounds replica writes (the context's clock).
    let clock: RuntimeClock
    let now: @Sendable () -> Date
    let requeue: RequeuePolicy
    /// How long deleting a rule waits for a target whose replicas cannot be removed (seconds).
    let cleanupTimeout: TimeInterval
    /// Records conflicts, resolutions, residency evictions and source changes.
    let events: EventRecorder
    let metrics: ReplicationMetrics
    /// Per rule, content hashes by uid and resourceVersion and the latest read, so a pass reads and
    /// hashes only what changed.
    let passes = RulePasses()
    /// When each target was last found in sync: the floor its next writes' lag is measured from.
    let syncTimes = ReplicationSyncTimes()
    /// Consecutive passes with failed writes, per rule: the retry backs off.
    let retries = ReplicationRetries()
    /// When each Periodic rule's next pass is due.
    let periodic = ReplicationPeriodicPasses()
    /// The mistyped `resolution` annotation values already reported, so each is warned about once.
    let resolutionTypos = ReplicationResolutionTypos()
    /// Each target's writes, run apart so one member never holds back another.
    let lanes: ReplicationLanes
    /// Statuses written but maybe not in the cache yet.
    let written = WrittenStatuses<ReplicationRuleStatus>()
    /// When each rule's status was last written (progress alone waits for
    /// ``FederationCore/ReplicationStatusWrite/progressRefreshSeconds``), and the progress deferred.
    let statusWrites = StatusWrites()
    let logger: Logger

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard let cached = ruleCache.get(key) else {
            forgetPasses(of: key)
            lanes.forget(key)
            written.forget(key)
            statusWrites.forget(key)
            return .done
        }
        // A status written by the last pass but not in the cache yet is the one to build on (a status
        // patch has no resourceVersion precondition, so a pass on the older copy would wipe it).
        var current = cached
        if let status = written.status(for: key, version: cached.metadata.resourceVersion) { current.status = status }
        var rule = current
        if rule.metadata.deletionTimestamp != nil {
            forgetPasses(of: key)
            return try await finalize(rule)
        }
        if !rule.metadata.hasFinalizer(FederationFinalizer.cleanup) {
            try await rules.ensureFinalizer(FederationFinalizer.cleanup, on: rule)
        }
        if let wait = try await betweenPeriodicPasses(rule, key: key) { return .requeue(after: wait) }
        let read: ReplicationRead
        let mesh = meshPolicy()
        let result: ReplicationReadResult = if let mesh { await readMesh(rule, policy: mesh) } else { await self.read(rule) }
        switch result {
        case .blocked(let blocker, let source, let epoch):
            try await writeStatus(ReplicationStatusBuilder.blocked(rule: rule, by: blocker, source: source, epoch: epoch, now: now()), of: rule)
            return .requeue(after: blocker.terminal ? requeue.replicationStalledRecheck : requeue.replicationRetry)
        case .ready(let r): read = r
        }
        let sourceRegion = datacenterCache.get(name: read.source)?.spec.region
        let at = now()
        let (planned, fed) = passes.withMemo(for: key, generation: mesh == nil ? read.generation : nil) { memo, fed in
            if mesh != nil {
                return (planMeshReplication(
                    rule: rule, epoch: read.epoch, members: read.targets, now: at, writtenAt: read.memberWrittenAt, seen: MeshReplication.seen(by: rule),
                    hash: memo.hash), false)
            }
            let changes = fed ? read.changes : nil
            return (planReplication(
                rule: rule, source: read.source, sourceRegion: sourceRegion, epoch: read.epoch, sources: read.sources, targets: read.targets, now: at,
                sourceWrittenAt: read.sourceWrittenAt, hash: memo.hash, sync: memo.sync, changes: changes, createsPerTarget: requeue.replicationCreatesPerPass,
                liveRules: Set(ruleCache.list().map(\.ruleAnnotationValue))),
                changes != nil)
        }
        if mesh == nil { metrics.pass(rule: key.description, fed: fed) }
        let plan = planned.measuringLag(notBefore: syncTimes.floors(for: key))
        // The status is built on the progress the last pass deferred, if any (it differs from the one
        // written only in progress); `rule.status` stays the written one, which writes compare against.
        var base = rule
        if let deferred = statusWrites.deferredStatus(key, generation: rule.metadata.generation) { base.status = deferred }
        // New conflicts are on record before anything resolves them.
        let (recorded, newConflicts) = ReplicationStatusBuilder.recordingConflicts(
            rule: base, plan: plan, away: Set(read.unreachable).union(read.unserved.keys), now: at)
        if !newConflicts.isEmpty {
            try await writeStatus(recorded, of: rule)
            rule.status = recorded
            base.status = recorded
        }
        // Mesh: the latest HLC reading stands for the revision every member holds.
        let sourceRevision = mesh == nil ? read.sourceRevision : plan.clock?.description
        var round = ReplicationRound(plan: plan, sourceRevision: sourceRevision, unreachable: read.unreachable)
        round.unserved = read.unserved
        await execute(plan, rule: rule, key: key, kinds: read.kinds, read: read.targets, into: &round)
        var (status, _) = ReplicationStatusBuilder.status(rule: base, round: round, now: now())
        if let blocker = read.blocker { status = ReplicationStatusBuilder.blocking(status, rule: base, by: blocker, now: now()) }
        syncTimes.record(key, synced: status.targets.filter { $0.state == .synced }.map(\.datacenter), at: at)
        report(rule: rule, round: round, status: status, newConflicts: newConflicts)
        if mesh == nil { reportWaits(status, key: key, id: key.description, source: round.plan.source, writtenAt: read.sourceWrittenAt) }
        else { metrics.lags(status.targets, rule: key.description, source: round.plan.source) }
        reportTypos(rule: rule, key: key, read: read)
        let wait = delay(rule, round, key: key)
        if rule.spec.effectiveMode == .periodic, round.inFlight.isEmpty, wait == .seconds(rule.spec.effectiveIntervalSeconds) {
            periodic.schedule(key, generation: rule.metadata.generation, at: at.addingTimeInterval(TimeInterval(rule.spec.effectiveIntervalSeconds)))
        } else {
            periodic.forget(key)
        }
        let due = try await writeProgress(status, of: rule)
        return .requeue(after: due.map { min(wait, $0) } ?? wait)
    }

    /// Forgets what passes of rule `key` remembered for the next (hashes, sync times, retries, lag
    /// series): the rule is gone or being deleted. Its lanes and written statuses, which its
    /// finalization still uses, go when it is gone.
    func forgetPasses(of key: ObjectKey) {
        passes.forget(key)
        periodic.forget(key)
        syncTimes.forget(key)
        retries.reset(key)
        resolutionTypos.forget(key)
        metrics.forget(rule: key.description)
    }

    /// For a Periodic rule woken before its next pass is due: writes the status progress the last pass
    /// deferred, if any, and returns the wait until the pass (nil: plan now).
    func betweenPeriodicPasses(_ rule: ReplicationRule, key: ObjectKey) async throws -> Duration? {
        guard rule.spec.effectiveMode == .periodic, let due = periodic.dueTime(key, generation: rule.metadata.generation) else { return nil }
        let left = due.timeIntervalSince(now())
        guard left > 0 else { return nil }
        if let deferred = statusWrites.deferredStatus(key, generation: rule.metadata.generation) { try await writeStatus(deferred, of: rule) }
        return .milliseconds(Int64((left * 1000).rounded(.up)))
    }

    /// Runs each target's writes in its lane, side by side, waiting up to `requeue.replicationLaneWait`,
    /// and once one target is written, for the others only as long again (at least ``stragglerGrace``):
    /// a target still writing then is reported Syncing and left to its lane, so a slow or frozen
    /// member delays only its own replicas. A target whose lane is still busy from an earlier pass is
    /// not written again until that job ends.
    /// `read` holds the targets' objects as the pass read them: deletions and adoptions are made over their versions.
    func execute(
        _ plan: ReplicationPlan, rule: ReplicationRule, key: ObjectKey, kinds: [ReplicaKindKey: ResolvedKind], read: [ReplicationTargetView],
        into round: inout ReplicationRound
    ) async {
        let executor = executor(kinds)
        let replicas = Dictionary(read.map { ($0.datacenter, $0.objects) }, uniquingKeysWith: { first, _ in first })
        var started: [(String, LaneTicket)] = []
        for target in plan.targets {
            let lane = ReplicationLanes.Key(rule: key, datacenter: target.datacenter)
            switch lanes.take(lane) {
            case .busy:
                round.inFlight.insert(target.datacenter)
                continue
            case .finished(let earlier):
                // Writes an earlier pass stopped waiting for: their lag counts; a failure among them
                // is superseded by this pass's plan, read after they ended.
                if let lag = earlier.lag { round.lags[target.datacenter] = lag }
            case .idle:
                break
            }
            guard !target.writes.isEmpty else { continue }
            let objects = replicas[target.datacenter] ?? [:]
            started.append((target.datacenter, lanes.start(lane) { await executor.execute(target, rule: rule, replicas: objects) }))
        }
        let (clock, budget) = (clock, requeue.replicationLaneWait)
        let startedAt = clock.now
        // Elements: a lane's outcome (nil: still writing, left to its lane), or nil for the straggler timer.
        await withTaskGroup(of: (String, TargetOutcome?)?.self) { group in
            for (datacenter, ticket) in started {
                group.addTask { (datacenter, await ticket.value(within: budget, clock: clock)) }
            }
            var waiting = started.count, timed = false
            while waiting > 0, let next = await group.next() {
                guard let (datacenter, outcome) = next else {
                    // The stragglers had as long again as the first target took: leave them to their lanes.
                    group.cancelAll()
                    continue
                }
                waiting -= 1
                guard let outcome else {
                    round.inFlight.insert(datacenter)
                    continue
                }
                _ = lanes.take(ReplicationLanes.Key(rule: key, datacenter: datacenter))
                if let failure = outcome.failure { round.failures[datacenter] = failure }
                if outcome.rejected { round.rejected.insert(datacenter) }
                if outcome.changedSinceRead > 0 { round.changedSinceRead.insert(datacenter) }
                if !outcome.unwritten.isEmpty { round.unwritten[datacenter] = outcome.unwritten }
                if let lag = outcome.lag { round.lags[datacenter] = max(lag, round.lags[datacenter] ?? 0) }
                // Once one target is written, the others get as long again (at least `stragglerGrace`): a
                // target far slower than its peers (frozen, overloaded) no longer holds up the next pass.
                if !timed, waiting > 0 {
                    timed = true
                    let grace = max(clock.now - startedAt, Self.stragglerGrace)
                    group.addTask {
                        try? await clock.sleep(for: grace)
                        return nil
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// The least a target still writing is waited for once another target of the same pass is written.
    static let stragglerGrace: Duration = .milliseconds(200)

    func executor(_ kinds: [ReplicaKindKey: ResolvedKind]) -> ReplicationEffectExecutor {
        ReplicationEffectExecutor(members: members, kinds: kinds, clock: clock, writeTimeout: requeue.replicationWriteTimeout, now: now, events: events, logger: logger)
    }

    /// Soon after an unreachable target or a replica changed mid-write; after failed writes, soon and
    /// then twice as long each pass they fail again (``ReplicationRetries``); within the stalled
    /// recheck while a target lacks a kind; at once while a bulk copy has batches left to plan
    /// (`RequeuePolicy.replicationCreatesPerPass`); otherwise at the rule's interval (Periodic) or
    /// its full resync (Continuous: changes arrive as events).
    func delay(_ rule: ReplicationRule, _ round: ReplicationRound, key: ObjectKey) -> Duration {
        let period = Duration.seconds(rule.spec.effectiveMode == .periodic ? rule.spec.effectiveIntervalSeconds : rule.spec.effectiveFullResyncSeconds)
        guard round.failures.isEmpty else { return min(retries.afterFailure(key, base: requeue.replicationRetry), period) }
        retries.reset(key)
        guard round.unreachable.isEmpty, round.changedSinceRead.isEmpty else { return min(requeue.replicationRetry, period) }
        // The next batch of a bulk copy at once; a target whose batch is still being written wakes the
        // rule when it ends (its lane).
        if round.plan.targets.contains(where: { $0.deferredCreates > 0 && !round.inFlight.contains($0.datacenter) }) { return .zero }
        // A target lacking a kind is woken when its cache of it syncs; asked again now and then anyway.
        guard round.unserved.isEmpty else { return min(requeue.replicationStalledRecheck, period) }
        return period
    }

    /// Events and metrics of a pass: new conflicts, Manual resolutions, source changes, lag.
    func report(rule: ReplicationRule, round: ReplicationRound, status: ReplicationRuleStatus, newConflicts: [ConflictFinding]) {
        let ref = ObjectReference(to: rule)
        let id = rule.ruleAnnotationValue
        for finding in newConflicts {
            // `related` names the object and the reporting instance the datacenter, so conflicts on
            // different objects or in different members are events of their own (events of one reason
            // about one object from one instance are counted as a series).
            events.event(
                regarding: ref, related: ReplicationRuleReconciler.replica(finding.key, of: rule), type: Event.warning, reason: "ConflictDetected",
                action: "Replicate", note: finding.message, instance: finding.datacenter)
            logger.info("Conflict detected", metadata: ["replicationrule": "\(id)", "datacenter": "\(finding.datacenter)", "object": "\(finding.key)", "outcome": "\(finding.outcome.rawValue)"])
        }
        // A person's choice is applied once (it is removed with the write that applies it); an object
        // only in the target is kept by every strategy, no person's choice.
        for finding in round.plan.targets.flatMap(\.conflicts) where finding.strategy == .manual && finding.outcome != .awaitingPerson && !finding.onlyInTarget {
            events.event(regarding: ref, type: Event.normal, reason: "ConflictResolved", action: "Replicate",
                         note: "\(finding.key) in \(finding.datacenter): a person chose \(finding.outcome == .restored ? "KeepSource" : "KeepTarget").")
        }
        if let previous = rule.status?.sourceDatacenter, previous != round.plan.source {
            events.event(regarding: ref, type: Event.normal, reason: "SourceChanged", action: "Replicate",
                         note: "Reading from \(round.plan.source) at epoch \(round.plan.epoch) (was \(previous)).")
        }
        metrics.conflicts(newConflicts, rule: id)
    }

    /// A Warning per `resolution` annotation value no pass acts on (``ReplicationResolutionTypos``),
    /// once per object, datacenter and value.
    func reportTypos(rule: ReplicationRule, key: ObjectKey, read: ReplicationRead) {
        for typo in resolutionTypos.unreported(key, in: read.targets, changes: read.changes, generation: read.generation) {
            events.event(
                regarding: ObjectReference(to: rule), related: Self.replica(typo.key, of: rule), type: Event.warning, reason: "InvalidResolution",
                action: "Replicate", note: ReplicationResolutionTypos.note(typo), instance: typo.datacenter)
        }
    }

    /// A reference to the replica `key` of `rule` (in the rule's namespace), for an event's `related`.
    static func replica(_ key: ReplicaKey, of rule: ReplicationRule) -> ObjectReference {
        ObjectReference(apiVersion: key.apiVersion, kind: key.kind, namespace: rule.metadata.namespace, name: key.name)
    }

    /// Every field of a ReplicationRule's status; this controller is their one writer.
    static let statusFields = [
        "observedGeneration", "sourceDatacenter", "sourceEpoch", "sourceRevision", "objects", "targets", "conflicts", "conflictsTotal", "conditions",
    ]

    /// Writes the status when it changed: a merge patch of its fields without a resourceVersion
    /// precondition, so a pass that starts before the cache holds the previous write does not fail with 409.
    func writeStatus(_ status: ReplicationRuleStatus, of rule: ReplicationRule) async throws {
        guard status != rule.status else { return }
        let key = ruleCache.key(of: rule)
        do {
            let stored = try await rules.patchStatus(rule, fields: Self.statusFields, from: status)
            written.record(key, readVersion: rule.metadata.resourceVersion, writtenVersion: stored.metadata.resourceVersion, status: status)
            statusWrites.written(key, at: now())
            metrics.statusWritten(rule: rule.ruleAnnotationValue)
        } catch let error as KubeAPIError where error.isNotFound {}
    }

    /// Writes a pass's status as ``FederationCore/ReplicationStatusWrite`` decides: a change at once,
    /// progress alone at most every few seconds. Returns when deferred progress is due (the pass
    /// wakes by then), or nil.
    func writeProgress(_ status: ReplicationRuleStatus, of rule: ReplicationRule) async throws -> Duration? {
        let key = ruleCache.key(of: rule)
        switch ReplicationStatusWrite.decide(written: rule.status, computed: status, writtenAt: statusWrites.writtenAt(key), now: now()) {
        case .unchanged:
            statusWrites.settle(key)
            return nil
        case .later(let seconds):
            statusWrites.deferred(key, generation: rule.metadata.generation, status: status)
            return .milliseconds(Int64((seconds * 1000).rounded(.up)))
        case .write:
            try await writeStatus(status, of: rule)
            return nil
        }
    }
}

/// What one rule's passes keep for the next, used by one pass at a time: a
/// ``FederationCore/ContentHashMemo`` (with the planner's verdicts) and the objects the latest pass
/// read (``ReplicationView``). The planner is fed the changes a read found only when it planned the
/// read they were found against.
final class RulePasses: Sendable {
    private struct Entry {
        let memo = ContentHashMemo()
        var view: ReplicationView?
        /// The read the memo planned last.
        var planned: Int?
        /// When the latest pass read every object.
        var wholeAt: Date?
    }

    private struct State {
        var entries: [ObjectKey: Entry] = [:]
        var generations = 0
    }

    private let state = Mutex(State())

    /// Takes the kept read of `key` out; a fresh one (the pass reads everything) when none is kept,
    /// it was read for another `basis`, or the latest whole read was `every` ago or longer (the full
    /// resync: a safety net under the change logs).
    func takeView(for key: ObjectKey, basis: ReplicationView.Basis, now: Date, every: TimeInterval) -> ReplicationView {
        let (kept, wholeAt) = state.withLock { ($0.entries[key]?.view.take(), $0.entries[key]?.wholeAt) }
        guard let kept, kept.basis == basis, let wholeAt, now.timeIntervalSince(wholeAt) < every else { return ReplicationView(basis: basis) }
        return kept
    }

    /// Keeps `view` as `key`'s latest read (`whole`: it read every object, at `at`); its generation (never 0).
    func putView(_ view: ReplicationView, for key: ObjectKey, whole: Bool, at: Date) -> Int {
        state.withLock { state in
            state.generations += 1
            var view = view
            view.generation = state.generations
            state.entries[key, default: Entry()].view = view
            if whole { state.entries[key]?.wholeAt = at }
            return state.generations
        }
    }

    /// Runs `body` with `key`'s memo, after starting its next pass, and whether the changes found by
    /// the read `generation` may be fed (the memo planned the read they were found against).
    func withMemo<T: Sendable>(for key: ObjectKey, generation: (from: Int, to: Int)?, _ body: (ContentHashMemo, _ fed: Bool) -> T) -> T {
        state.withLock { state in
            var entry = state.entries[key] ?? Entry()
            let fed = generation.map { $0.from > 0 && entry.planned == $0.from } ?? false
            entry.planned = generation?.to
            state.entries[key] = entry
            entry.memo.nextPass()
            return body(entry.memo, fed)
        }
    }

    /// Drops what `key`'s passes kept (the rule is gone).
    func forget(_ key: ObjectKey) { state.withLock { _ = $0.entries.removeValue(forKey: key) } }
}
