import FederationAPI
import Foundation

/// Builds a ReplicationRule's status from a pass, pure: targets, the bounded conflict list with its
/// total, and the conditions (Ready, Synced, ConflictsDetected, ResidencyBlocked, Reconciling,
/// Stalled) with `SetStatusCondition` semantics.
public enum ReplicationStatusBuilder {
    typealias T = ReplicationRule.ConditionType
    typealias R = ReplicationRule.Reason

    /// The status after `round`, and the conflicts it detected that the previous status did not list.
    public static func status(rule: ReplicationRule, round: ReplicationRound, now: Date) -> (status: ReplicationRuleStatus, newConflicts: [ConflictFinding]) {
        let previous = rule.status ?? ReplicationRuleStatus()
        var status = previous
        status.observedGeneration = rule.metadata.generation
        status.sourceDatacenter = round.plan.source
        status.sourceEpoch = round.plan.epoch
        status.sourceRevision = round.sourceRevision
        status.objects = round.plan.objects
        status.targets = targets(round, previous: previous, now: now)
        let (conflicts, new) = ConflictLedger.merge(
            previous: previous.conflicts, findings: round.conflicts, now: now, results: true, planned: Set(round.plan.targets.map(\.datacenter)))
        status.conflicts = conflicts
        status.conflictsTotal = (previous.conflictsTotal ?? 0) + Int64(new.count)
        setConditions(&status, rule: rule, round: round, now: now)
        return (status, new)
    }

    /// The previous status with `plan`'s newly found conflicts listed, counted and reflected in
    /// ConflictsDetected, and nothing else changed; `new` is empty when the plan found none. It is
    /// written before the pass executes anything, so a restore or an adoption never lands without
    /// its conflict on record, even when the pass's final status write fails or the controller dies.
    /// `away`: targets of the rule that this pass could not plan (unreachable, or not serving a
    /// kind), whose TargetWins conflicts stay open.
    public static func recordingConflicts(
        rule: ReplicationRule, plan: ReplicationPlan, away: Set<String> = [], now: Date
    ) -> (status: ReplicationRuleStatus, new: [ConflictFinding]) {
        var status = rule.status ?? ReplicationRuleStatus()
        let (conflicts, new) = ConflictLedger.merge(previous: status.conflicts, findings: plan.targets.flatMap(\.conflicts), now: now)
        guard !new.isEmpty else { return (status, []) }
        status.conflicts = conflicts
        status.conflictsTotal = (status.conflictsTotal ?? 0) + Int64(new.count)
        setConflictsCondition(
            &status, rule: rule, found: plan.targets.flatMap(\.conflicts), away: away, c: Conditions(generation: rule.metadata.generation, time: KubeTime(now)))
        return (status, new)
    }

    /// The status of a rule that cannot be planned: Ready False (and Stalled True when terminal).
    /// A terminal blocker also clears the per-target states: nothing is replicated until a person
    /// fixes the input, so the last pass's `Synced` targets would only mislead.
    /// `source` and `epoch` are the source it would read now (nil when it cannot tell): another
    /// source's epoch and revision are not kept.
    public static func blocked(rule: ReplicationRule, by blocker: ReplicationBlocker, source: String?, epoch: Int64? = nil, now: Date) -> ReplicationRuleStatus {
        var status = rule.status ?? ReplicationRuleStatus()
        if source != status.sourceDatacenter {
            status.sourceDatacenter = source
            status.sourceEpoch = nil
            status.sourceRevision = nil
        }
        if let epoch, status.sourceEpoch != epoch {
            status.sourceEpoch = epoch
            status.sourceRevision = nil
        }
        if blocker.terminal { status.targets = [] }
        return blocking(status, rule: rule, by: blocker, now: now)
    }

    /// `status` with `blocker`'s conditions: `Ready=False` with its reason, `Stalled=True` when only a
    /// person can fix it (and then `Synced=False`: nothing is being copied), and `ResidencyBlocked=True`
    /// for `NoAllowedTargets`. Used alone when a pass cannot plan, and over a pass's own status when it
    /// still ran for what it must do anyway (deleting replicas outside residency).
    public static func blocking(_ status: ReplicationRuleStatus, rule: ReplicationRule, by blocker: ReplicationBlocker, now: Date) -> ReplicationRuleStatus {
        var status = status
        status.observedGeneration = rule.metadata.generation
        let c = Conditions(generation: rule.metadata.generation, time: KubeTime(now))
        if blocker.terminal { status.conditions.set(c.make(T.synced, .false, blocker.reason, blocker.message)) }
        status.conditions.set(c.make(T.ready, .false, blocker.reason, blocker.message))
        status.conditions.remove(T.reconciling)
        if blocker.terminal { status.conditions.set(c.make(T.stalled, .true, blocker.reason, blocker.message)) } else { status.conditions.remove(T.stalled) }
        if blocker.reason == R.noAllowedTargets { status.conditions.set(c.make(T.residencyBlocked, .true, R.outsideAllowedRegions, blocker.message)) }
        return status
    }

    /// `N more objects` (`1 more object`).
    private static func objects(_ count: Int) -> String { "\(count) more \(count == 1 ? "object" : "objects")" }

    static func targets(_ round: ReplicationRound, previous: ReplicationRuleStatus, now: Date) -> [ReplicationTargetStatus] {
        var result: [ReplicationTargetStatus] = []
        for plan in round.plan.targets {
            var t = previous.targets.first { $0.datacenter == plan.datacenter } ?? ReplicationTargetStatus(datacenter: plan.datacenter)
            let waiting = plan.conflicts.filter { !$0.onlyInTarget && ($0.outcome == .awaitingPerson || $0.strategy == .targetWins || $0.keptDeleted) }.count
            t.conflicts = plan.conflicts.filter { $0.outcome == .awaitingPerson }.count
            t.message = nil
            if round.inFlight.contains(plan.datacenter) {
                t.state = .syncing
                t.message = plan.deferredCreates > 0
                    ? "Writes to this member are still running, and \(objects(plan.deferredCreates)) to create after them; it is planned again when they end."
                    : "Writes to this member are still running; it is planned again when they end."
            } else if round.changedSinceRead.contains(plan.datacenter) {
                t.state = .syncing
                t.message = "A replica changed in this member while Concord was writing it; the change is judged in the next pass."
            } else if let failure = round.failures[plan.datacenter] {
                t.state = .failed
                t.message = failure
                t.objectsInSync = plan.inSync
            } else if !plan.regionAllowed {
                t.state = .blocked
                t.message = "Residency allows none of this datacenter's region; nothing is written here."
                t.objectsInSync = 0
            } else if plan.deferredCreates > 0 {
                // A bulk copy, a batch per pass: the next pass creates the next batch.
                t.state = .syncing
                t.message = "\(objects(plan.deferredCreates)) to create here; the next pass creates the next batch."
                t.objectsInSync = max(0, plan.allowedObjects - waiting - plan.deferredCreates)
                if let lag = round.lags[plan.datacenter] { t.lagSeconds = lag }
            } else {
                // Moved only when something was written or the target just became Synced, so a pass
                // that finds everything in sync writes no status (and wakes nothing).
                if !plan.writes.isEmpty || t.state != .synced || t.lastSyncTime == nil { t.lastSyncTime = KubeTime(now) }
                t.state = .synced
                t.syncedRevision = round.sourceRevision
                t.objectsInSync = plan.allowedObjects - waiting
                // The lag of this pass's writes; 0 once a pass finds nothing to write.
                if let lag = round.lags[plan.datacenter] { t.lagSeconds = lag } else if plan.writes.isEmpty || t.lagSeconds == nil { t.lagSeconds = 0 }
            }
            result.append(t)
        }
        for name in round.unreachable {
            var t = previous.targets.first { $0.datacenter == name } ?? ReplicationTargetStatus(datacenter: name)
            t.state = .unreachable
            t.message = "The member's objects cannot be read; it catches up when it returns."
            result.append(t)
        }
        result += unservedTargets(round, previous: previous)
        return result.sorted { $0.datacenter < $1.datacenter }
    }

    static func setConditions(_ status: inout ReplicationRuleStatus, rule: ReplicationRule, round: ReplicationRound, now: Date) {
        let c = Conditions(generation: rule.metadata.generation, time: KubeTime(now))
        let failed = status.targets.filter { $0.state == .failed }.map(\.datacenter)
        let unreachable = status.targets.filter { $0.state == .unreachable }.map(\.datacenter)
        let behind = status.targets.filter { $0.state == .syncing }.map(\.datacenter)
        let synced: Condition
        if let unserved = unservedCondition(round, c: c) {
            synced = unserved
        } else if !failed.isEmpty {
            synced = c.make(T.synced, .false, R.targetsFailed, "Writes failed in \(failed.joined(separator: ", ")); retrying.")
        } else if !unreachable.isEmpty {
            synced = c.make(T.synced, .false, R.targetsUnreachable, "Unreachable: \(unreachable.joined(separator: ", ")); they catch up when they return.")
        } else if !behind.isEmpty {
            synced = c.make(T.synced, .false, R.targetsBehind, "Writes to \(behind.joined(separator: ", ")) are still running.")
        } else {
            synced = c.make(T.synced, .true, R.allTargetsSynced, syncedMessage(round))
        }
        status.conditions.set(synced)
        let waiting = setConflictsCondition(&status, rule: rule, found: round.conflicts, away: Set(round.unreachable).union(round.unserved.keys), c: c)
        let excluded = round.plan.targets.filter { !$0.regionAllowed }.map(\.datacenter)
        let blocked = round.plan.targets.reduce(0) { $0 + $1.blocked.count }
        if blocked > 0 {
            let detail = excluded.isEmpty ? "" : " Excluded datacenters: \(excluded.joined(separator: ", "))."
            status.conditions.set(c.make(T.residencyBlocked, .true, R.outsideAllowedRegions, "\(blocked) object \(blocked == 1 ? "copy" : "copies") kept out by residency.\(detail)"))
        } else if !excluded.isEmpty {
            // A target residency excludes is blocked even while nothing is selected to keep out of it.
            status.conditions.set(c.make(T.residencyBlocked, .true, R.outsideAllowedRegions, "Residency excludes \(excluded.joined(separator: ", ")); nothing is written there."))
        } else {
            status.conditions.set(c.make(T.residencyBlocked, .false, R.allTargetsAllowed, "Residency kept nothing out."))
        }
        if synced.status != .true {
            status.conditions.set(c.make(T.ready, .false, synced.reason, synced.message))
        } else if !waiting.isEmpty {
            status.conditions.set(c.make(T.ready, .false, R.manualResolutionRequired,
                "\(waiting.count == 1 ? "1 conflict waits" : "\(waiting.count) conflicts wait") for a person.\(contestedNote(round.conflicts))"))
        } else if round.plan.objects == 0 {
            status.conditions.set(c.make(T.ready, .false, R.nothingSelected, "No object in namespace \(rule.metadata.namespace ?? "") \(round.plan.source == MeshReplication.source ? "of any member" : "at \(round.plan.source)") matches the rule's resources."))
        } else {
            let from = round.plan.source == MeshReplication.source ? "among the members (Mesh)" : "from \(round.plan.source)"
            status.conditions.set(c.make(T.ready, .true, CommonReason.succeeded, "\(round.plan.objects) \(round.plan.objects == 1 ? "object" : "objects") replicated \(from)."))
        }
        // A write the member refuses as invalid or forbidden fails the same way however often it is
        // retried: Stalled (kstatus Failed) rather than Reconciling for ever; retries go on with backoff.
        let rejected = failed.filter(round.rejected.contains)
        if !rejected.isEmpty {
            let detail = rejected.map { "\($0): \(round.failures[$0] ?? "")" }.joined(separator: "; ")
            let message = "\(rejected.joined(separator: ", ")) refused a write as invalid or forbidden, which retrying cannot change: \(detail). Fix the replica or the member's policy (it is retried with backoff)."
            status.conditions.remove(T.reconciling)
            status.conditions.set(c.make(T.stalled, .true, R.writeRejected, message))
            status.conditions.set(c.make(T.ready, .false, R.writeRejected, message))
            return
        }
        // A target that does not serve a kind yet waits for its CustomResourceDefinition, which may be
        // on its way (a rule in concord-system copying it): in progress for kstatus readers, not failed.
        if failed.isEmpty && behind.isEmpty && synced.reason != R.kindNotServed {
            status.conditions.remove(T.reconciling)
        } else {
            status.conditions.set(c.make(T.reconciling, .true, synced.reason == R.kindNotServed ? R.kindNotServed : CommonReason.progressing, synced.message))
        }
        // Waiting for a person (a Manual conflict, an object two rules select): nothing moves until
        // someone acts, which kstatus readers see as Stalled.
        if let ready = status.conditions.condition(T.ready), ready.status != .true, ready.reason == R.manualResolutionRequired {
            status.conditions.set(c.make(T.stalled, .true, ready.reason, ready.message))
        } else {
            status.conditions.remove(T.stalled)
        }
    }

    /// What Synced=True says: the revision every allowed target holds, but for the replicas that do
    /// not hold it and are not being copied: those a strategy keeps as their datacenter changed them
    /// (TargetWins) or deleted them, and those waiting for a person (Manual, or an object two rules select).
    static func syncedMessage(_ round: ReplicationRound) -> String {
        var kept = 0, deleted = 0, waiting = 0
        for target in round.plan.targets {
            for conflict in target.conflicts where !conflict.onlyInTarget {
                if conflict.outcome == .awaitingPerson {
                    waiting += 1
                } else if conflict.keptDeleted {
                    deleted += 1
                } else if conflict.strategy == .targetWins && conflict.outcome == .keptTarget {
                    kept += 1
                }
            }
        }
        if round.plan.objects == 0, round.sourceRevision == nil {
            return round.plan.source == MeshReplication.source
                ? "No member holds an object the rule selects: nothing to copy."
                : "Nothing is selected at \(round.plan.source): nothing to copy."
        }
        let revision = round.plan.source == MeshReplication.source
            ? "Every allowed member holds the latest write (hybrid logical clock \(round.sourceRevision ?? "-"))"
            : "Every allowed target holds revision \(round.sourceRevision ?? "-") of \(round.plan.source)"
        var exceptions: [String] = []
        if kept > 0 { exceptions.append(kept == 1 ? "1 replica kept as changed in its own datacenter (TargetWins)" : "\(kept) replicas kept as changed in their own datacenter (TargetWins)") }
        if deleted > 0 { exceptions.append(deleted == 1 ? "1 replica kept deleted in its own datacenter" : "\(deleted) replicas kept deleted in their own datacenter") }
        if waiting > 0 { exceptions.append(waiting == 1 ? "1 replica waiting for a person" : "\(waiting) replicas waiting for a person") }
        guard !exceptions.isEmpty else { return revision + "." }
        return revision + ", but for \(exceptions.joined(separator: " and ")); status.conflicts lists \(kept + deleted + waiting == 1 ? "it" : "them")."
    }

    /// What a person does about objects another rule replicates (found by this pass), which no
    /// resolution settles: ` N of them: …`, or nothing when there are none.
    static func contestedNote(_ found: [ConflictFinding]) -> String {
        let contested = Set(found.filter { $0.otherRule != nil }.map(\.key)).count
        guard contested > 0 else { return "" }
        return " \(contested == 1 ? "1 object is" : "\(contested) objects are") replicated by another rule, which keeps writing \(contested == 1 ? "it" : "them")"
            + ": only changing one rule's selector settles that, not a resolution."
    }

    /// Sets ConflictsDetected: True while a listed conflict is open — waiting for a person (Manual, or
    /// an object two rules select), found by this pass (`found`: restored, adopted or retried now, or a
    /// replica TargetWins keeps, which every pass finds again), or kept by TargetWins in a target of
    /// the rule this pass could not plan (`away`: unreachable, say); False, `NoOpenConflicts`, once
    /// every listed conflict is history, as a TargetWins one in a datacenter that is no longer a
    /// target (deleted, or no longer selected) is. Returns those waiting for a person.
    @discardableResult
    static func setConflictsCondition(
        _ status: inout ReplicationRuleStatus, rule: ReplicationRule, found: [ConflictFinding], away: Set<String>, c: Conditions
    ) -> [ReplicationConflict] {
        let waiting = status.conflicts.filter { $0.resolution == .manual }
        let open = status.conflicts.filter { listed in
            listed.resolution == .manual || (listed.resolution == .targetWins && away.contains(listed.datacenter))
                || found.contains { $0.lists(listed) }
        }
        let total = status.conflictsTotal ?? 0
        if status.conflicts.isEmpty {
            status.conditions.set(c.make(T.conflictsDetected, .false, R.noConflicts, "No replica was changed in its own datacenter."))
        } else if !waiting.isEmpty {
            // Only objects another rule replicates: no resolution to advise.
            let contested = Set(found.filter { $0.otherRule != nil }.map(\.key)).count
            let how = contested >= waiting.count ? "." : ": concord replication resolve or the annotation \(FederationAnnotation.resolution)."
            status.conditions.set(c.make(T.conflictsDetected, .true, R.manualResolutionRequired,
                "\(waiting.count == 1 ? "1 conflict waits" : "\(waiting.count) conflicts wait") for a person\(how)\(contestedNote(found))"))
        } else if !open.isEmpty {
            // Objects only in a target are kept by every strategy, never resolved by it.
            let onlyHere = open.filter { listed in found.contains { $0.onlyInTarget && $0.lists(listed) } }.count
            let resolved = open.count - onlyHere
            var parts: [String] = []
            if resolved > 0 {
                parts.append("\(resolved == 1 ? "1 open conflict, found by the latest pass or kept as changed in its datacenter" : "\(resolved) open conflicts, found by the latest pass or kept as changed in their datacenter"), resolved by \(rule.spec.effectiveConflictResolution.rawValue)")
            }
            if onlyHere > 0 {
                parts.append("\(onlyHere == 1 ? "1 object exists" : "\(onlyHere) objects exist") in a target but not at the source, kept there and never copied: delete \(onlyHere == 1 ? "it" : "them") there or create \(onlyHere == 1 ? "it" : "them") at the source")
            }
            status.conditions.set(c.make(T.conflictsDetected, .true, R.conflictsResolved, "\(parts.joined(separator: "; ")) (\(total) detected in total)."))
        } else {
            status.conditions.set(c.make(T.conflictsDetected, .false, R.noOpenConflicts,
                "No conflict is open; status.conflicts lists \(status.conflicts.count) resolved \(status.conflicts.count == 1 ? "conflict" : "conflicts") as history (\(total) detected in total)."))
        }
        return waiting
    }

    struct Conditions {
        let generation: Int64?
        let time: KubeTime
        func make(_ type: String, _ value: ConditionStatus, _ reason: String, _ message: String) -> Condition {
            Condition(type: type, status: value, observedGeneration: generation, lastTransitionTime: time, reason: reason, message: message)
        }
    }
}
