import FederationAPI
import FederationCore
import Foundation
import Testing

/// Mesh planning: every member is a source and a target; the latest write by HLC is the object
/// everywhere; a copy changed in two members is a conflict the strategy settles.
struct MeshReplicationTests {
    typealias A = FederationAnnotation
    static let h0 = "1799999990000.0@dc-a"

    static func members(_ a: [String: JSONValue], _ b: [String: JSONValue], _ c: [String: JSONValue] = [:], cRegion: String = "eu-west") -> [ReplicationTargetView] {
        [Repl.target("dc-a", region: "eu-central", a), Repl.target("dc-b", region: "eu-north", b), Repl.target("dc-c", region: cRegion, c)]
    }

    /// Converged copies of `x = v` written by dc-a at ``h0``.
    static func converged(_ value: String = "v") -> JSONValue { Repl.replica("x", value, from: "dc-a", hlc: h0) }

    static func plan(
        _ members: [ReplicationTargetView], _ strategy: ConflictResolution = .lastWriterWins, deletion: DeletionPolicy = .propagate,
        writtenAt: [String: Date] = [:]
    ) -> ReplicationPlan {
        planMeshReplication(
            rule: Repl.rule(strategy, deletion: deletion), epoch: 3, members: members, now: Repl.now,
            writtenAt: writtenAt.mapValues { [Repl.key("x"): $0] })
    }

    /// `plan` run against `members` as the controller's executor runs it.
    static func apply(_ plan: ReplicationPlan, to members: [ReplicationTargetView]) -> [ReplicationTargetView] {
        members.map { member in
            var member = member
            for effect in plan.targets.first(where: { $0.datacenter == member.datacenter })?.writes ?? [] {
                switch effect {
                case .create(let w), .update(let w): member.objects[w.key] = w.object
                case .adopt(let a):
                    guard var object = member.objects[a.key] else { continue }
                    var annotations = object["metadata"]?["annotations"]?.objectValue ?? [:]
                    for (name, value) in a.annotations { annotations[name] = .string(value) }
                    annotations[A.resolution] = nil
                    object["metadata"]?["annotations"] = .object(annotations)
                    member.objects[a.key] = object
                case .delete(let k), .deleteOutsideResidency(let k): member.objects[k] = nil
                case .blocked, .conflict, .release: break
                }
            }
            return member
        }
    }

    /// Plans and applies passes until one writes nothing; the effects of each pass.
    static func converge(
        _ members: [ReplicationTargetView], _ strategy: ConflictResolution = .lastWriterWins, writtenAt: [String: Date] = [:]
    ) -> (passes: [[String: [String]]], members: [ReplicationTargetView], last: ReplicationPlan) {
        var members = members, passes: [[String: [String]]] = []
        var plan = Self.plan(members, strategy, writtenAt: writtenAt)
        while plan.targets.contains(where: { !$0.writes.isEmpty }), passes.count < 5 {
            passes.append(effects(plan))
            members = apply(plan, to: members)
            plan = Self.plan(members, strategy, writtenAt: writtenAt)
        }
        return (passes, members, plan)
    }

    /// Every member's copy of `x`: identical content and stamp.
    static func identical(_ members: [ReplicationTargetView]) -> Bool {
        let copies = members.map { m in m.objects[Repl.key("x")].map { ReplicaContent.hash(of: $0) + " " + (ReplicaStamp(of: $0).clockText ?? "-") } }
        return Set(copies).count == 1 && copies[0] != nil
    }

    static func effects(_ plan: ReplicationPlan) -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: plan.targets.map { ($0.datacenter, Repl.describe($0.effects)) })
    }

    @Test func aChangeInOneMemberIsTheLatestWriteAndReachesEveryOther() throws {
        let written = Repl.now.addingTimeInterval(-5)
        let members = Self.members(["x": Repl.replica("x", "new", written: "v", from: "dc-a", hlc: Self.h0)], ["x": Self.converged()], ["x": Self.converged()])
        let run = Self.converge(members, writtenAt: ["dc-b": Repl.now, "dc-a": written])
        // Stamped where it was written first, then copied.
        #expect(run.passes == [["dc-a": ["adopt x"], "dc-b": [], "dc-c": []], ["dc-a": [], "dc-b": ["update x"], "dc-c": ["update x"]]])
        let first = Self.plan(members, writtenAt: ["dc-b": Repl.now, "dc-a": written])
        #expect(first.source == MeshReplication.source && first.targets.allSatisfy { $0.conflicts.isEmpty })
        #expect(Self.identical(run.members) && run.last.targets.allSatisfy { $0.inSync == 1 })
        let expected = HLCTimestamp(wallMilliseconds: 1_799_999_995_000, counter: 0, datacenter: "dc-a").description
        for member in run.members {
            let stamp = ReplicaStamp(of: try #require(member.objects[Repl.key("x")]))
            #expect(stamp.clockText == expected && stamp.sourceDatacenter == "dc-a", "\(member.datacenter) carries the writer's reading")
            #expect(stamp.contentHash == ReplicaContent.hash(of: Repl.source("x", "new")))
        }
    }

    @Test func aChangeMadeAfterReceivingACopyIsLaterEvenWhenTheWritersClockIsBehind() throws {
        // dc-b's clock is an hour behind: its write time is before dc-a's reading, yet it changed dc-a's copy.
        let behind = Date(timeIntervalSince1970: 1_799_996_000)
        let run = Self.converge(Self.members(["x": Self.converged()], ["x": Repl.replica("x", "b", written: "v", from: "dc-a", hlc: Self.h0)]), writtenAt: ["dc-b": behind])
        #expect(run.passes == [["dc-a": [], "dc-b": ["adopt x"], "dc-c": []], ["dc-a": ["update x"], "dc-b": [], "dc-c": ["create x"]]])
        #expect(Self.identical(run.members))
        #expect(ReplicaStamp(of: try #require(run.members[0].objects[Repl.key("x")])).clockText == "1799999990000.1@dc-b")
    }

    @Test func twoMembersChangingTheSameObjectIsAConflictTheLaterWriteWins() throws {
        let members = Self.members(
            ["x": Repl.replica("x", "a", written: "v", from: "dc-a", hlc: Self.h0)], ["x": Repl.replica("x", "b", written: "v", from: "dc-a", hlc: Self.h0)],
            ["x": Self.converged()])
        let writtenAt = ["dc-a": Repl.now.addingTimeInterval(-2), "dc-b": Repl.now.addingTimeInterval(-1)]
        let plan = Self.plan(members, writtenAt: writtenAt)
        let conflict = try #require(plan.targets.first?.conflicts.first)
        #expect(conflict.datacenter == "dc-a" && conflict.message.contains("the later write by hybrid logical clock: 1799999999000.0@dc-b"))
        let run = Self.converge(members, writtenAt: writtenAt)
        #expect(run.passes == [
            ["dc-a": ["conflict x Restored"], "dc-b": ["adopt x"], "dc-c": []],
            ["dc-a": ["conflict x Restored", "update x"], "dc-b": [], "dc-c": ["update x"]],
        ])
        #expect(Self.identical(run.members))
        #expect(ReplicaStamp(of: try #require(run.members[2].objects[Repl.key("x")])).clockText == "1799999999000.0@dc-b")
    }

    @Test func writesAtTheSameReadingBreakTheTieByDatacenterName() throws {
        let members = Self.members(
            ["x": Repl.replica("x", "a", written: "v", from: "dc-a", hlc: Self.h0)], ["x": Repl.replica("x", "b", written: "v", from: "dc-a", hlc: Self.h0)])
        let same = Repl.now.addingTimeInterval(-1)
        let plan = Self.plan(members, writtenAt: ["dc-a": same, "dc-b": same])
        #expect(Self.effects(plan)["dc-b"] == ["adopt x"])
        #expect(Self.effects(plan)["dc-a"] == ["conflict x Restored"])
    }

    @Test func convergedMembersNeedNoWriteAndTheLatestReadingIsKept() {
        let plan = Self.plan(Self.members(["x": Self.converged()], ["x": Self.converged()], ["x": Self.converged()]))
        #expect(plan.targets.allSatisfy { $0.effects.isEmpty && $0.inSync == 1 && $0.allowedObjects == 1 })
        #expect(plan.clock?.description == Self.h0 && plan.objects == 1)
    }

    @Test func aNewLocalObjectIsAdoptedWhereItWasWrittenAndCreatedElsewhere() {
        let run = Self.converge(Self.members([:], ["x": Repl.source("x", "fresh")]), writtenAt: ["dc-b": Repl.now])
        #expect(run.passes == [["dc-a": [], "dc-b": ["adopt x"], "dc-c": []], ["dc-a": ["create x"], "dc-b": [], "dc-c": ["create x"]]])
        #expect(Self.identical(run.members) && ReplicaStamp(of: run.members[0].objects[Repl.key("x")] ?? .null).rule == Repl.ruleID)
    }

    @Test func deletingAnObjectWhereItsVersionWasWrittenDeletesItEverywhere() {
        let members = Self.members([:], ["x": Self.converged()], ["x": Self.converged()])
        #expect(Self.effects(Self.plan(members)) == ["dc-a": [], "dc-b": ["delete x"], "dc-c": ["delete x"]])
        #expect(Self.effects(Self.plan(members, deletion: .orphan)) == ["dc-a": [], "dc-b": [], "dc-c": []])
    }

    @Test func deletingACopyElsewhereIsUndone() {
        let members = Self.members(["x": Self.converged()], [:], ["x": Self.converged()])
        #expect(Self.effects(Self.plan(members)) == ["dc-a": [], "dc-b": ["create x"], "dc-c": []])
    }

    @Test func aLaterChangeElsewhereWinsOverTheWritersDeletion() throws {
        let members = Self.members([:], ["x": Repl.replica("x", "b", written: "v", from: "dc-a", hlc: Self.h0)], ["x": Self.converged()])
        let plan = Self.plan(members, writtenAt: ["dc-b": Repl.now])
        #expect(Self.effects(plan) == ["dc-a": ["conflict x Restored"], "dc-b": ["adopt x"], "dc-c": []])
        #expect(try #require(plan.targets.first?.conflicts.first).deletedInTarget)
        let run = Self.converge(members, writtenAt: ["dc-b": Repl.now])
        #expect(run.passes.last == ["dc-a": ["conflict x Restored", "create x"], "dc-b": [], "dc-c": ["update x"]])
        #expect(Self.identical(run.members))
        #expect(Self.effects(Self.plan(members, .targetWins, writtenAt: ["dc-b": Repl.now]))["dc-a"] == ["conflict x KeptTarget"])
    }

    @Test func manualWritesNothingUntilAPersonKeepsOneCopy() {
        let a = Repl.replica("x", "a", written: "v", from: "dc-a", hlc: Self.h0)
        let plan = Self.plan(Self.members(["x": a], ["x": Repl.replica("x", "b", written: "v", from: "dc-a", hlc: Self.h0)], ["x": Self.converged()]), .manual)
        #expect(Self.effects(plan) == ["dc-a": ["conflict x AwaitingPerson"], "dc-b": ["conflict x AwaitingPerson"], "dc-c": []])
        let kept = Repl.replica("x", "a", written: "v", from: "dc-a", hlc: Self.h0, resolution: ConflictDecision.keepTarget.rawValue)
        let resolved = Self.plan(Self.members(["x": kept], ["x": Repl.replica("x", "b", written: "v", from: "dc-a", hlc: Self.h0)], ["x": Self.converged()]), .manual)
        // The person's choice is copied at once, with a reading later than every copy it overrides.
        #expect(Self.effects(resolved) == ["dc-a": ["conflict x KeptTarget", "adopt x"], "dc-b": ["conflict x Restored", "update x"], "dc-c": ["update x"]])
        let after = Self.apply(resolved, to: Self.members(["x": kept], ["x": Repl.replica("x", "b", written: "v", from: "dc-a", hlc: Self.h0)], ["x": Self.converged()]))
        #expect(Self.identical(after) && Self.plan(after, .manual).targets.allSatisfy { $0.effects.isEmpty })
    }

    @Test func targetWinsKeepsEachChangedCopyAndWritesTheLatestElsewhere() {
        let members = Self.members(
            ["x": Repl.replica("x", "a", written: "v", from: "dc-a", hlc: Self.h0)], ["x": Repl.replica("x", "b", written: "v", from: "dc-a", hlc: Self.h0)],
            ["x": Self.converged()])
        let plan = Self.plan(members, .targetWins, writtenAt: ["dc-a": Repl.now.addingTimeInterval(-2), "dc-b": Repl.now])
        #expect(Self.effects(plan) == ["dc-a": ["conflict x KeptTarget"], "dc-b": ["adopt x"], "dc-c": []])
        let run = Self.converge(members, .targetWins, writtenAt: ["dc-a": Repl.now.addingTimeInterval(-2), "dc-b": Repl.now])
        #expect(run.passes.last == ["dc-a": ["conflict x KeptTarget"], "dc-b": [], "dc-c": ["update x"]])
        #expect(ReplicaContent.hash(of: run.members[0].objects[Repl.key("x")] ?? .null) == ReplicaContent.hash(of: Repl.source("x", "a")), "dc-a keeps its change")
    }

    /// A kept TargetWins copy once made its member's `objectsInSync` -1, which the status schema
    /// refuses, so the rule's status could not be written at all under Mesh.
    @Test func aCopyKeptByTargetWinsCountsAsAllowedButNotInSync() throws {
        let members = Self.members(
            ["x": Repl.replica("x", "a", written: "v", from: "dc-a", hlc: Self.h0)], ["x": Repl.replica("x", "b", written: "v", from: "dc-a", hlc: Self.h0)],
            ["x": Self.converged()])
        let run = Self.converge(members, .targetWins, writtenAt: ["dc-a": Repl.now.addingTimeInterval(-2), "dc-b": Repl.now])
        for plan in [Self.plan(members, .targetWins, writtenAt: ["dc-a": Repl.now.addingTimeInterval(-2), "dc-b": Repl.now]), run.last] {
            #expect(plan.targets.map(\.allowedObjects) == [1, 1, 1])
            let status = ReplicationStatusBuilder.status(rule: Repl.rule(.targetWins), round: ReplicationRound(plan: plan, sourceRevision: nil), now: Repl.now).status
            #expect(status.targets.map(\.objectsInSync) == [0, 1, 1])
        }
    }

    @Test func residencyKeepsObjectsOutOfOtherRegionsAndEvictsCopiesFoundThere() {
        let eu = Repl.replica("x", "v", from: "dc-a", hlc: Self.h0, labels: [FederationLabel.residency: "eu"])
        let plan = Self.plan(Self.members(["x": eu], ["x": eu], ["x": eu], cRegion: "us-east"))
        #expect(Self.effects(plan) == ["dc-a": [], "dc-b": [], "dc-c": ["evict x", "blocked x"]])
        let source = Repl.source("y", "v", labels: [FederationLabel.residency: "eu"])
        let fresh = planMeshReplication(rule: Repl.rule(.lastWriterWins), epoch: 1, members: Self.members(["y": source], [:], cRegion: "us-east"), now: Repl.now)
        #expect(Self.effects(fresh) == ["dc-a": ["adopt y"], "dc-b": [], "dc-c": []])
        let members = Self.apply(fresh, to: Self.members(["y": source], [:], cRegion: "us-east"))
        let next = planMeshReplication(rule: Repl.rule(.lastWriterWins), epoch: 1, members: members, now: Repl.now)
        #expect(Self.effects(next) == ["dc-a": [], "dc-b": ["create y"], "dc-c": ["blocked y"]])
    }

    @Test func anotherRulesObjectIsListedAndNeverWritten() {
        let other = Repl.replica("x", "o", from: "dc-b", rule: "shop/other", hlc: Self.h0)
        let plan = Self.plan(Self.members(["x": Self.converged()], ["x": other], ["x": Self.converged()]))
        #expect(Self.effects(plan) == ["dc-a": [], "dc-b": ["conflict x AwaitingPerson"], "dc-c": []])
    }

    @Test func sourceWinsIsRefusedInMeshAndSaysWhy() throws {
        let refusal = try #require(MeshReplication.refusal(of: Repl.rule(.sourceWins), policy: "global"))
        #expect(refusal.reason == ReplicationRule.Reason.sourceWinsInMesh && refusal.terminal)
        #expect(refusal.message.contains("FederationPolicy global has topology Mesh") && refusal.message.contains("LastWriterWins"))
        for strategy in [ConflictResolution.lastWriterWins, .targetWins, .manual] { #expect(MeshReplication.refusal(of: Repl.rule(strategy), policy: "g") == nil) }
    }
}
