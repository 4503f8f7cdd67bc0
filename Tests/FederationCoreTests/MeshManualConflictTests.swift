import FederationAPI
import FederationCore
import Foundation
import Testing

/// Mesh under Manual: a change made over a write its member had not received yet is a conflict the
/// person sees in full, both writes listed, whichever of the two is later by HLC.
struct MeshManualConflictTests {
    typealias M = MeshReplicationTests

    /// dc-a changes x in one pass (it is stamped there); dc-b changes its older copy before dc-a's
    /// write reaches it, at `bWrittenAt`. The plan of the pass after.
    static func secondChange(bWrittenAt: Date) -> (plan: ReplicationPlan, members: [ReplicationTargetView]) {
        let first = M.members(["x": Repl.replica("x", "a", written: "v", from: "dc-a", hlc: M.h0)], ["x": M.converged()], ["x": M.converged()])
        let adopted = M.plan(first, .manual, writtenAt: ["dc-a": Repl.now.addingTimeInterval(-5)])
        #expect(M.effects(adopted) == ["dc-a": ["adopt x"], "dc-b": [], "dc-c": []], "a lone change is no conflict")
        var members = M.apply(adopted, to: first)
        members[1].objects[Repl.key("x")] = Repl.replica("x", "b", written: "v", from: "dc-a", hlc: M.h0)
        return (M.plan(members, .manual, writtenAt: ["dc-a": Repl.now.addingTimeInterval(-5), "dc-b": bWrittenAt]), members)
    }

    @Test func aLaterChangeOverAWriteNotYetReceivedListsBothWrites() throws {
        let (plan, members) = Self.secondChange(bWrittenAt: Repl.now)
        #expect(M.effects(plan) == ["dc-a": ["conflict x AwaitingPerson"], "dc-b": ["conflict x AwaitingPerson"], "dc-c": []])
        let a = try #require(plan.targets[0].conflicts.first)
        #expect(a.message.contains("ConfigMap/x was changed in dc-a while another member wrote it too (the later write by hybrid logical clock: "))
        let status = ReplicationStatusBuilder.status(rule: Repl.rule(.manual), round: ReplicationRound(plan: plan, sourceRevision: nil), now: Repl.now).status
        #expect(status.conflicts.map(\.datacenter) == ["dc-a", "dc-b"] && status.conflicts.allSatisfy { $0.resolution == .manual })
        #expect(status.targets.map(\.conflicts) == [1, 1, 0])
        // The person keeps dc-a's write: it reaches every member, dc-b's change is overwritten.
        var kept = members
        kept[0].objects[Repl.key("x")]?["metadata"]?["annotations"]?[FederationAnnotation.resolution] = .string(ConflictDecision.keepTarget.rawValue)
        let resolved = M.plan(kept, .manual, writtenAt: ["dc-a": Repl.now.addingTimeInterval(-5), "dc-b": Repl.now])
        #expect(M.effects(resolved) == ["dc-a": ["conflict x KeptTarget", "adopt x"], "dc-b": ["conflict x Restored", "update x"], "dc-c": ["update x"]])
        let after = M.apply(resolved, to: kept)
        #expect(ReplicaContent.hash(of: after[1].objects[Repl.key("x")] ?? .null) == ReplicaContent.hash(of: Repl.source("x", "a")))
    }

    /// dc-b's clock is behind: its change reads earlier than dc-a's write it never saw. dc-a's write,
    /// unchanged since it was stamped, is listed too, so the person can keep either.
    @Test func anEarlierReadingChangeOverAWriteNotYetReceivedListsBothWrites() throws {
        let (plan, _) = Self.secondChange(bWrittenAt: Repl.now.addingTimeInterval(-60))
        #expect(M.effects(plan) == ["dc-a": ["conflict x AwaitingPerson"], "dc-b": ["conflict x AwaitingPerson"], "dc-c": []])
        let a = try #require(plan.targets[0].conflicts.first)
        #expect(a.message.hasPrefix("ConfigMap/x in dc-a holds the latest write, which the change in dc-b (hybrid logical clock "))
        #expect(a.message.hasSuffix("was made without seeing; Manual: AwaitingPerson."))
    }

    /// LastWriterWins is untouched: the write the change never saw is overwritten and listed as restored.
    @Test func lastWriterWinsStillOverwritesTheWriteTheChangeNeverSaw() {
        let first = M.members(["x": Repl.replica("x", "a", written: "v", from: "dc-a", hlc: M.h0)], ["x": M.converged()], ["x": M.converged()])
        var members = M.apply(M.plan(first, writtenAt: ["dc-a": Repl.now.addingTimeInterval(-5)]), to: first)
        members[1].objects[Repl.key("x")] = Repl.replica("x", "b", written: "v", from: "dc-a", hlc: M.h0)
        let plan = M.plan(members, writtenAt: ["dc-a": Repl.now.addingTimeInterval(-5), "dc-b": Repl.now])
        #expect(M.effects(plan) == ["dc-a": ["conflict x Restored"], "dc-b": ["adopt x"], "dc-c": []])
    }
}
