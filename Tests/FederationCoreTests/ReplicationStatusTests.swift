import FederationAPI
import FederationCore
import Foundation
import Testing

/// The ReplicationRule status: targets, the conflict list and its total, the conditions.
struct ReplicationStatusTests {
    static func plan(_ rule: ReplicationRule, replicas: [String: JSONValue], sources: [String: JSONValue] = ["a": Repl.source("a", "1")], region: String = "us-west-2") -> ReplicationPlan {
        planReplication(rule: rule, source: "us-east", epoch: 3, sources: Repl.sources(sources), targets: [Repl.target("us-west", region: region, replicas)], now: Repl.now)
    }

    @Test func syncedPassIsReady() {
        let rule = Repl.rule()
        let (status, new) = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: [:]), sourceRevision: "10", lags: ["us-west": 0.2]), now: Repl.now)
        #expect(new.isEmpty)
        #expect(status.sourceDatacenter == "us-east")
        #expect(status.sourceEpoch == 3)
        #expect(status.objects == 1)
        #expect(status.observedGeneration == 2)
        #expect(status.targets.map(\.state) == [.synced])
        #expect(status.targets[0].syncedRevision == "10")
        #expect(status.targets[0].lagSeconds == 0.2)
        #expect(status.targets[0].objectsInSync == 1)
        #expect(status.conditions.condition("Ready")?.status == .true)
        #expect(status.conditions.condition("Synced")?.status == .true)
        #expect(status.conditions.condition("ConflictsDetected")?.status == .false)
        #expect(status.conditions.condition("Stalled") == nil)
    }

    @Test func sourceWinsConflictIsListedOnceAndCounted() {
        var rule = Repl.rule()
        let edited = ["a": Repl.replica("a", "local", written: "1")]
        let first = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: edited), sourceRevision: "10"), now: Repl.now)
        #expect(first.newConflicts.count == 1)
        #expect(first.status.conflicts.map(\.name) == ["a"])
        #expect(first.status.conflicts[0].resolution == .sourceWins)
        #expect(first.status.conflictsTotal == 1)
        #expect(first.status.conditions.condition("ConflictsDetected")?.reason == "ConflictsResolved")
        #expect(first.status.conditions.condition("Ready")?.status == .true)
        // The restore failed, so the same edit is found again: not listed or counted twice.
        rule.status = first.status
        let again = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: edited), sourceRevision: "10", failures: ["us-west": "409"]), now: Repl.now)
        #expect(again.newConflicts.isEmpty)
        #expect(again.status.conflictsTotal == 1)
        #expect(again.status.targets[0].state == .failed)
        #expect(again.status.conditions.condition("Ready")?.reason == "TargetsFailed")
        #expect(again.status.conditions.condition("Reconciling")?.status == .true)
    }

    @Test func newConflictsAreRecordedBeforeTheirRestoreAndNotCountedAgainAfter() {
        var rule = Repl.rule()
        rule.status = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: [:]), sourceRevision: "10"), now: Repl.now).status
        let synced = rule.status
        let edited = Self.plan(rule, replicas: ["a": Repl.replica("a", "local", written: "1")])
        let recorded = ReplicationStatusBuilder.recordingConflicts(rule: rule, plan: edited, now: Repl.now)
        #expect(recorded.new.map(\.key.name) == ["a"])
        #expect(recorded.status.conflicts.map(\.name) == ["a"])
        #expect(recorded.status.conflictsTotal == 1)
        #expect(recorded.status.conditions.condition("ConflictsDetected")?.status == .true)
        // Only the conflicts move: targets and the other conditions stay as the last pass left them.
        #expect(recorded.status.targets == synced?.targets)
        #expect(recorded.status.conditions.condition("Ready") == synced?.conditions.condition("Ready"))
        // The pass then builds its final status on the recorded one: listed once, counted once.
        rule.status = recorded.status
        let final = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: edited, sourceRevision: "10"), now: Repl.now)
        #expect(final.newConflicts.isEmpty)
        #expect(final.status.conflicts.map(\.name) == ["a"])
        #expect(final.status.conflictsTotal == 1)
        // A pass with nothing new records nothing.
        #expect(ReplicationStatusBuilder.recordingConflicts(rule: rule, plan: edited, now: Repl.now).new.isEmpty)
    }

    @Test func manualConflictWaitsThenLeavesTheListWhenResolved() {
        var rule = Repl.rule(.manual)
        let waiting = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: ["a": Repl.replica("a", "local", written: "1")]), sourceRevision: "10"), now: Repl.now)
        #expect(waiting.status.conflicts.map(\.resolution) == [.manual])
        #expect(waiting.status.targets[0].conflicts == 1)
        #expect(waiting.status.targets[0].objectsInSync == 0)
        #expect(waiting.status.conditions.condition("Ready")?.reason == "ManualResolutionRequired")
        #expect(waiting.status.conditions.condition("ConflictsDetected")?.reason == "ManualResolutionRequired")
        // Only a person moves it on: kstatus readers see it Stalled.
        #expect(waiting.status.conditions.condition("Stalled")?.status == .true)
        #expect(waiting.status.conditions.condition("Stalled")?.reason == "ManualResolutionRequired")
        rule.status = waiting.status
        let resolved = ReplicationStatusBuilder.status(
            rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: ["a": Repl.replica("a", "local", written: "1", resolution: "KeepSource")]), sourceRevision: "10"), now: Repl.now)
        #expect(resolved.newConflicts.isEmpty)
        #expect(resolved.status.conflicts.isEmpty)
        #expect(resolved.status.conflictsTotal == 1)
        #expect(resolved.status.conditions.condition("Ready")?.status == .true)
    }

    /// An object another rule replicates waits under any strategy, and the conditions say that only a
    /// selector change settles it, not a resolution.
    @Test func anObjectAnotherRuleReplicatesSaysOnlyASelectorChangeSettlesIt() {
        let rule = Repl.rule(.sourceWins)
        let round = ReplicationRound(plan: Self.plan(rule, replicas: ["a": Repl.replica("a", "1", rule: "shop/other")]), sourceRevision: "10")
        let (status, _) = ReplicationStatusBuilder.status(rule: rule, round: round, now: Repl.now)
        #expect(status.conflicts.map(\.resolution) == [.manual])
        #expect(status.conditions.condition("Ready")?.message
            == "1 conflict waits for a person. 1 object is replicated by another rule, which keeps writing it: only changing one rule's selector settles that, not a resolution.")
        #expect(status.conditions.condition("ConflictsDetected")?.message
            == "1 conflict waits for a person. 1 object is replicated by another rule, which keeps writing it: only changing one rule's selector settles that, not a resolution.")
        let manual = Repl.rule(.manual)
        let plain = ReplicationStatusBuilder.status(rule: manual, round: ReplicationRound(plan: Self.plan(manual, replicas: ["a": Repl.replica("a", "local", written: "1")]), sourceRevision: "10"), now: Repl.now)
        #expect(plain.status.conditions.condition("Ready")?.message == "1 conflict waits for a person.")
    }

    /// A replica its datacenter deleted, which LastWriterWins keeps deleted (the source's copy came
    /// from there and did not change since), is not counted in sync, and Synced says so.
    @Test func aReplicaKeptDeletedIsNotInSync() {
        let rule = Repl.rule(.lastWriterWins)
        let plan = Self.plan(rule, replicas: [:], sources: ["a": Repl.replica("a", "1", from: "us-west"), "b": Repl.source("b", "1")])
        #expect(Repl.describe(plan.targets[0].effects) == ["conflict a KeptTarget", "create b"])
        let (status, _) = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: plan, sourceRevision: "10"), now: Repl.now)
        #expect(status.targets[0].objectsInSync == 1)
        #expect(status.conditions.condition("Synced")?.message
            == "Every allowed target holds revision 10 of us-east, but for 1 replica kept deleted in its own datacenter; status.conflicts lists it.")
    }

    /// A blocked rule shows the source it would read now, never another source's epoch and revision
    /// (a Mesh rule's `Mesh` stayed after the topology went back to HubAndSpoke).
    @Test func aBlockedRuleShowsTheSourceInForce() {
        var rule = Repl.rule()
        rule.status = ReplicationRuleStatus(sourceDatacenter: "Mesh", sourceEpoch: 0, sourceRevision: "7")
        let blocker = ReplicationBlocker(reason: "InvalidSelector", message: "bad selector", terminal: true)
        let unknown = ReplicationStatusBuilder.blocked(rule: rule, by: blocker, source: nil, now: Repl.now)
        #expect(unknown.sourceDatacenter == nil && unknown.sourceEpoch == nil && unknown.sourceRevision == nil)
        let known = ReplicationStatusBuilder.blocked(rule: rule, by: blocker, source: "us-west", epoch: 2, now: Repl.now)
        #expect(known.sourceDatacenter == "us-west" && known.sourceEpoch == 2 && known.sourceRevision == nil)
        rule.status = known
        rule.status?.sourceRevision = "40"
        let same = ReplicationStatusBuilder.blocked(rule: rule, by: blocker, source: "us-west", epoch: 2, now: Repl.now)
        #expect(same.sourceRevision == "40", "the same source at the same epoch keeps its revision")
    }

    @Test func conflictListIsBoundedNewestFirst() {
        var previous: [ReplicationConflict] = []
        for i in 0..<ReplicationRule.conflictLimit {
            previous.append(ReplicationConflict(datacenter: "x", kind: "ConfigMap", name: "old-\(i)", detectedAt: KubeTime(Repl.now), resolution: .sourceWins))
        }
        let finding = ConflictFinding(datacenter: "us-west", key: Repl.key("new"), strategy: .sourceWins, outcome: .restored, recordedHash: "a", replicaHash: "b", sourceChanged: false)
        let merged = ConflictLedger.merge(previous: previous, findings: [finding], now: Repl.now)
        #expect(merged.conflicts.count == ReplicationRule.conflictLimit)
        #expect(merged.conflicts.first?.name == "new")
        #expect(merged.conflicts.last?.name == "old-\(ReplicationRule.conflictLimit - 2)")
    }

    @Test func residencyBlockedTargetAndBadInput() {
        let rule = Repl.rule(regions: ["eu-*"])
        let (status, _) = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: [:]), sourceRevision: "10"), now: Repl.now)
        #expect(status.targets.map(\.state) == [.blocked])
        #expect(status.conditions.condition("ResidencyBlocked")?.status == .true)
        #expect(status.conditions.condition("ResidencyBlocked")?.message == "1 object copy kept out by residency. Excluded datacenters: us-west.")
        // An excluded target is reported even while nothing is selected to keep out of it.
        let none = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: [:], sources: [:]), sourceRevision: "10"), now: Repl.now).status
        #expect(none.targets.map(\.state) == [.blocked])
        #expect(none.conditions.condition("ResidencyBlocked")?.status == .true)
        #expect(none.conditions.condition("ResidencyBlocked")?.message == "Residency excludes us-west; nothing is written there.")
        let allowed = ReplicationStatusBuilder.status(
            rule: Repl.rule(regions: ["us-*"]), round: ReplicationRound(plan: Self.plan(Repl.rule(regions: ["us-*"]), replicas: [:], sources: [:]), sourceRevision: "10"), now: Repl.now).status
        #expect(allowed.conditions.condition("ResidencyBlocked")?.status == .false)
        let stalled = ReplicationStatusBuilder.blocked(
            rule: rule, by: ReplicationBlocker(reason: "UnknownKind", message: "no kind Widget in v1", terminal: true), source: "us-east", now: Repl.now)
        #expect(stalled.conditions.condition("Stalled")?.reason == "UnknownKind")
        #expect(stalled.conditions.condition("Ready")?.status == .false)
        #expect(stalled.observedGeneration == 2)
    }

    /// A rule only a person can unblock lists no target as Synced from before; one waiting for its
    /// source keeps the last pass's targets.
    @Test func aStalledRuleDropsItsTargetsAndAWaitingOneKeepsThem() {
        var rule = Repl.rule()
        rule.status = ReplicationRuleStatus(targets: [ReplicationTargetStatus(datacenter: "eu-central", state: .synced, syncedRevision: "7")])
        let stalled = ReplicationStatusBuilder.blocked(
            rule: rule, by: ReplicationBlocker(reason: "SourceWinsInMesh", message: "no source in Mesh", terminal: true), source: nil, now: Repl.now)
        #expect(stalled.targets.isEmpty)
        let waiting = ReplicationStatusBuilder.blocked(
            rule: rule, by: ReplicationBlocker(reason: "SourceUnavailable", message: "source away", terminal: false), source: "us-east", now: Repl.now)
        #expect(waiting.targets.map(\.syncedRevision) == ["7"])
    }

    /// Synced says which replicas TargetWins keeps as changed (they do not hold the source's revision),
    /// and a Mesh rule speaks of its members' latest write, not of a source called Mesh.
    @Test func syncedNamesKeptReplicasAndMeshSpeaksOfMembers() {
        let rule = Repl.rule(.targetWins)
        let kept = ReplicationStatusBuilder.status(
            rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: ["a": Repl.replica("a", "local", written: "1")]), sourceRevision: "10"),
            now: Repl.now).status
        #expect(kept.conditions.condition("Synced")?.message == "Every allowed target holds revision 10 of us-east, but for 1 replica kept as changed in its own datacenter (TargetWins); status.conflicts lists it.")
        #expect(kept.targets[0].objectsInSync == 0)
        // Manual: replicas changed in their datacenter wait for a person and do not hold the revision either.
        let manualRule = Repl.rule(.manual)
        let manual = ReplicationStatusBuilder.status(
            rule: manualRule,
            round: ReplicationRound(
                plan: Self.plan(manualRule, replicas: ["a": Repl.replica("a", "local", written: "1"), "b": Repl.replica("b", "local", written: "2")],
                    sources: ["a": Repl.source("a", "1"), "b": Repl.source("b", "2")]),
                sourceRevision: "10"),
            now: Repl.now).status
        #expect(manual.conditions.condition("Synced")?.status == .true)
        #expect(manual.conditions.condition("Synced")?.message == "Every allowed target holds revision 10 of us-east, but for 2 replicas waiting for a person; status.conflicts lists them.")
        #expect(manual.conditions.condition("Ready")?.reason == "ManualResolutionRequired")
        #expect(manual.targets[0].objectsInSync == 0)
        let mesh = planMeshReplication(rule: Repl.rule(.lastWriterWins), epoch: 1, members: [Repl.target("dc-a", region: "eu", ["x": Repl.source("x", "v")])], now: Repl.now)
        let meshStatus = ReplicationStatusBuilder.status(rule: Repl.rule(.lastWriterWins), round: ReplicationRound(plan: mesh, sourceRevision: "1799999999000.0@dc-a"), now: Repl.now).status
        #expect(meshStatus.conditions.condition("Synced")?.message == "Every allowed member holds the latest write (hybrid logical clock 1799999999000.0@dc-a).")
        #expect(meshStatus.conditions.condition("Ready")?.message == "1 object replicated among the members (Mesh).")
    }

    @Test func unreachableTargetKeepsItsLastRevision() {
        var rule = Repl.rule()
        rule.status = ReplicationRuleStatus(targets: [ReplicationTargetStatus(datacenter: "eu-central", state: .synced, syncedRevision: "7")])
        let round = ReplicationRound(plan: Self.plan(rule, replicas: [:]), sourceRevision: "10", unreachable: ["eu-central"])
        let (status, _) = ReplicationStatusBuilder.status(rule: rule, round: round, now: Repl.now)
        #expect(status.targets.map(\.datacenter) == ["eu-central", "us-west"])
        #expect(status.targets[0].state == .unreachable)
        #expect(status.targets[0].syncedRevision == "7")
        #expect(status.conditions.condition("Synced")?.reason == "TargetsUnreachable")
        #expect(status.conditions.condition("Ready")?.status == .false)
    }
}

extension ReplicationStatusTests {
    /// A pass that finds everything in sync leaves the status exactly as it was (no status write, no wake-up).
    @Test func inSyncPassChangesNothing() {
        var rule = Repl.rule()
        let plan = Self.plan(rule, replicas: ["a": Repl.replica("a", "1")])
        let first = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: plan, sourceRevision: "10"), now: Repl.now)
        rule.status = first.status
        let later = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: plan, sourceRevision: "10"), now: Repl.now.addingTimeInterval(60))
        #expect(later.status == first.status)
    }
}

/// Lag: measured from no earlier than the last pass that found the target in sync, and 0 once a
/// pass has nothing to write there.
extension ReplicationStatusTests {
    @Test func aWriteMeasuresLagFromTheLaterOfItsSourceWriteAndTheLastInSyncRead() throws {
        let rule = Repl.rule()
        let written = Repl.now.addingTimeInterval(-600)
        let plan = planReplication(
            rule: rule, source: "us-east", epoch: 3, sources: Repl.sources(["a": Repl.source("a", "1"), "b": Repl.source("b", "2")]),
            targets: [Repl.target("us-west", region: "us-west-2"), Repl.target("eu-west", region: "eu-west-1")], now: Repl.now,
            sourceWrittenAt: [ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: "a"): written])
        let floor = Repl.now.addingTimeInterval(-2)
        let measured = plan.measuringLag(notBefore: ["us-west": floor])
        func writtenAt(_ target: String, _ name: String) -> Date?? {
            measured.targets.first { $0.datacenter == target }?.effects.compactMap { effect -> Date?? in
                if case .create(let w) = effect, w.key.name == name { return .some(w.sourceWrittenAt) } else { return nil }
            }.first
        }
        // A replica missing although the target was in sync 2 s ago went missing since: 2 s, not 600 s.
        #expect(writtenAt("us-west", "a") == .some(floor))
        // Unknown write times stay unknown; a target without a floor keeps the source write time.
        #expect(writtenAt("us-west", "b") == .some(nil))
        #expect(writtenAt("eu-west", "a") == .some(written))
        #expect(measured.targets.map(\.effects.count) == plan.targets.map(\.effects.count))
    }

    @Test func aTargetOutOfReachWaitsSinceTheOldestSourceWriteAfterItsLastInSyncRead() {
        func key(_ name: String) -> ReplicaKey { ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: name) }
        let floor = Repl.now.addingTimeInterval(-30.4)
        let written = [
            key("old"): Repl.now.addingTimeInterval(-600), key("same-second"): Repl.now.addingTimeInterval(-31),
            key("first-after"): Repl.now.addingTimeInterval(-20), key("latest"): Repl.now.addingTimeInterval(-5),
        ]
        #expect(ReplicationWait.oldestWrite(after: floor, in: written) == Repl.now.addingTimeInterval(-20))
        // Nothing written since it was in sync: it lacks nothing, whatever its phase.
        #expect(ReplicationWait.oldestWrite(after: Repl.now.addingTimeInterval(-1), in: written) == nil)
        #expect(ReplicationWait.oldestWrite(after: floor, in: [:]) == nil)
    }

    @Test func aPassWithNothingToWriteSetsTheLagToZero() {
        var rule = Repl.rule()
        let missing = Self.plan(rule, replicas: [:])
        let wrote = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: missing, sourceRevision: "10", lags: ["us-west": 7.5]), now: Repl.now)
        #expect(wrote.status.targets[0].lagSeconds == 7.5)
        rule.status = wrote.status
        let quiet = ReplicationStatusBuilder.status(
            rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: ["a": Repl.replica("a", "1")]), sourceRevision: "10"), now: Repl.now)
        #expect(quiet.status.targets[0].lagSeconds == 0)
    }
}

extension ReplicationStatusTests {
    /// A Secret's content hash is an unkeyed hash of its data: status and events, which people who may
    /// not read the Secret can read, name its resourceVersion instead.
    @Test func aSecretsConflictNamesItsResourceVersionNeverItsContentHashes() {
        var secret = ConflictFinding(
            datacenter: "eu-central", key: ReplicaKey(apiVersion: "v1", kind: "Secret", name: "dbpass"), strategy: .sourceWins, outcome: .restored,
            recordedHash: "3e11255c55343536", replicaHash: "83e68195b0e89387", sourceChanged: false)
        secret.replicaRevision = "412"
        #expect(secret.message == "Secret/dbpass in eu-central (resourceVersion 412) differs from what Concord wrote; SourceWins: Restored.")
        secret.recordedHash = nil
        #expect(!secret.message.contains("83e68195b0e89387") && secret.message.contains("was not written by this rule"))
        let configMap = ConflictFinding(
            datacenter: "eu-central", key: ReplicaKey(apiVersion: "v1", kind: "ConfigMap", name: "flags"), strategy: .sourceWins, outcome: .restored,
            recordedHash: "3e11255c55343536", replicaHash: "83e68195b0e89387", sourceChanged: false)
        #expect(configMap.message.contains("has content hash 83e68195b0e89387, not 3e11255c55343536"))
    }

    /// A tool that keeps writing its own value over a replica: each write Concord restores is a conflict
    /// of its own (ReplicationConflictsRising must see it), while one found again unchanged is not.
    @Test func theSameEditMadeAgainAfterARestoreIsCountedAgain() {
        var rule = Repl.rule()
        func pass(_ revision: String) -> (status: ReplicationRuleStatus, newConflicts: [ConflictFinding]) {
            var edited = Repl.replica("a", "local", written: "1")
            edited["metadata"]?["resourceVersion"] = .string(revision)
            let result = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: ["a": edited]), sourceRevision: "10"), now: Repl.now)
            rule.status = result.status
            return result
        }
        #expect(pass("600").newConflicts.count == 1)
        #expect(pass("600").newConflicts.isEmpty)
        #expect(pass("610").newConflicts.count == 1)
        #expect(rule.status?.conflictsTotal == 2)
        #expect(rule.status?.conflicts.map(\.message).allSatisfy { $0?.contains("(resourceVersion 6") == true } == true)
    }

    /// An object another rule already replicates is written by neither while both select it: only a
    /// person can settle it (by changing a rule), so it waits like a Manual conflict and the rule is
    /// not Ready; once settled it leaves the list.
    @Test func anObjectTwoRulesSelectWaitsForAPersonUnderAnyStrategy() {
        var rule = Repl.rule()
        let other = Repl.replica("a", "1", rule: "shop/other")
        let first = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: ["a": other]), sourceRevision: "10"), now: Repl.now)
        #expect(first.newConflicts.count == 1)
        #expect(first.status.conflicts.map(\.resolution) == [.manual])
        #expect(first.status.conditions.condition("Ready")?.status == .false)
        #expect(first.status.conditions.condition("Ready")?.reason == "ManualResolutionRequired")
        rule.status = first.status
        let again = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: ["a": other]), sourceRevision: "10"), now: Repl.now)
        #expect(again.newConflicts.isEmpty)
        #expect(again.status.conflictsTotal == 1)
        rule.status = again.status
        let settled = ReplicationStatusBuilder.status(rule: rule, round: ReplicationRound(plan: Self.plan(rule, replicas: [:]), sourceRevision: "10"), now: Repl.now)
        #expect(settled.status.conflicts.isEmpty)
        #expect(settled.status.conditions.condition("Ready")?.status == .true)
    }

    /// A write the member refuses as invalid (an immutable ConfigMap's data, say) fails the same way
    /// on every retry: the rule is Stalled (kstatus Failed), not Reconciling for ever.
    @Test func aWriteTheMemberRefusesStallsTheRuleInsteadOfReconcilingForEver() {
        let rule = Repl.rule()
        let failure = "updating ConfigMap/a failed: ConfigMap \"a\" is invalid: data: Forbidden: field is immutable when `immutable` is set (Invalid, HTTP 422)"
        var round = ReplicationRound(plan: Self.plan(rule, replicas: [:]), sourceRevision: "10", failures: ["us-west": failure])
        let retrying = ReplicationStatusBuilder.status(rule: rule, round: round, now: Repl.now).status
        #expect(retrying.conditions.condition("Reconciling")?.status == .true)
        #expect(retrying.conditions.condition("Stalled") == nil)
        round.rejected = ["us-west"]
        let refused = ReplicationStatusBuilder.status(rule: rule, round: round, now: Repl.now).status
        #expect(refused.conditions.condition("Reconciling") == nil)
        #expect(refused.conditions.condition("Stalled")?.status == .true)
        #expect(refused.conditions.condition("Stalled")?.reason == "WriteRejected")
        #expect(refused.conditions.condition("Stalled")?.message.contains("field is immutable") == true)
        #expect(refused.conditions.condition("Ready")?.status == .false)
        #expect(refused.targets[0].state == .failed)
        // Once the write goes through, the rule is Ready again and no longer Stalled.
        var fixed = rule
        fixed.status = refused
        let after = ReplicationStatusBuilder.status(rule: fixed, round: ReplicationRound(plan: Self.plan(rule, replicas: [:]), sourceRevision: "10"), now: Repl.now).status
        #expect(after.conditions.condition("Stalled") == nil)
        #expect(after.conditions.condition("Ready")?.status == .true)
    }
}

/// A conflict whose restore failed, and that goes away before a retry (the replica was deleted, and the pass
/// creates it anew), no longer says the restore is retried.
struct ReplicationConflictSettledTests {
    static func failed(_ name: String) -> ConflictFinding {
        var finding = ConflictFinding(
            datacenter: "us-west", key: Repl.key(name), strategy: .sourceWins, outcome: .restored, recordedHash: "a", replicaHash: "b", sourceChanged: false)
        finding.writeFailure = "409 Conflict"
        return finding
    }

    @Test func aFailedRestoreNoLongerFoundSaysTheConflictIsGone() throws {
        let listed = ConflictLedger.merge(previous: [], findings: [Self.failed("a"), Self.failed("b")], now: Repl.now, results: true).conflicts
        #expect(listed.allSatisfy { $0.message?.hasSuffix("retried on the next pass.") == true })
        // us-west was read again: `a` is found again (still failing), `b` is not.
        let after = ConflictLedger.merge(previous: listed, findings: [Self.failed("a")], now: Repl.now, results: true, planned: ["us-west"]).conflicts
        let a = try #require(after.first { $0.name == "a" }), b = try #require(after.first { $0.name == "b" })
        #expect(a.message == Self.failed("a").message)
        #expect(b.message == "ConfigMap/b in us-west has content hash b, not a as written by Concord; SourceWins: no longer a conflict (the replica was written or removed since).")
        #expect(after.count == 2)
        // A pass that could not read us-west says nothing new of it.
        let away = ConflictLedger.merge(previous: listed, findings: [], now: Repl.now, results: true, planned: ["us-east"]).conflicts
        #expect(away.map(\.message) == listed.map(\.message))
    }
}

/// A person's KeepSource under Manual whose restore fails stays listed, saying so, until the restore goes through.
struct ManualResolutionWriteTests {
    static func finding(_ outcome: ConflictOutcome, failure: String? = nil) -> ConflictFinding {
        var finding = ConflictFinding(
            datacenter: "us-west", key: Repl.key("a"), strategy: .manual, outcome: outcome, recordedHash: "a", replicaHash: "b", sourceChanged: false)
        finding.writeFailure = failure
        return finding
    }

    @Test func aResolutionWhoseWriteFailedStaysListedUntilItGoesThrough() throws {
        let waiting = ConflictLedger.merge(previous: [], findings: [Self.finding(.awaitingPerson)], now: Repl.now, results: true).conflicts
        #expect(waiting.map(\.resolution) == [.manual])
        // Recorded before the pass runs the restore: still listed.
        let recorded = ConflictLedger.merge(previous: waiting, findings: [Self.finding(.restored)], now: Repl.now).conflicts
        #expect(recorded.map(\.name) == ["a"])
        // The restore failed: listed, saying so.
        let failed = ConflictLedger.merge(previous: recorded, findings: [Self.finding(.restored, failure: "403 Forbidden")], now: Repl.now, results: true)
        #expect(failed.new.isEmpty)
        let entry = try #require(failed.conflicts.first)
        #expect(failed.conflicts.count == 1 && entry.resolution == .manual)
        #expect(entry.message == "ConfigMap/a in us-west has content hash b, not a as written by Concord; Manual: restoring it failed (403 Forbidden); retried on the next pass.")
        // The retry went through: it leaves the list.
        let done = ConflictLedger.merge(previous: failed.conflicts, findings: [Self.finding(.restored)], now: Repl.now, results: true)
        #expect(done.conflicts.isEmpty)
        #expect(done.new.isEmpty)
    }
}
