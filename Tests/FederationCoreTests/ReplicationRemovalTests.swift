import FederationAPI
import FederationCore
import Foundation
import Testing

/// Deleting a ReplicationRule: which objects its finalizer deletes, and how long it waits.
struct ReplicationRemovalTests {
    static let objects: [String: JSONValue] = [
        "mine": Repl.replica("mine", "1"),
        "edited": Repl.replica("edited", "local", written: "1"),
        "other-rule": Repl.replica("other-rule", "1", rule: "shop/other"),
        "local": Repl.source("local", "x"),
    ]

    @Test func propagateDeletesEveryObjectTheRuleStampedAndNothingElse() {
        let plans = ReplicationRemoval.plan(rule: Repl.rule(), targets: [Repl.target("us-west", region: "us-west-2", Self.objects), Repl.target("eu", region: "eu-1")])
        #expect(plans.map(\.datacenter) == ["eu", "us-west"])
        #expect(Repl.describe(plans[0].effects) == [])
        // An edited replica is still this rule's: it goes too; another rule's and a local object stay.
        #expect(Repl.describe(plans[1].effects) == ["delete edited", "delete mine"])
    }

    @Test func anObjectTheMemberHadBeforeTheRuleStampedItLosesOnlyTheStamp() throws {
        let rule = Repl.rule()
        // us-west already had `shared` with the source's content, written by no rule: the pass stamps it, marked adopted.
        let first = planReplication(
            rule: rule, source: "us-east", epoch: 1, sources: Repl.sources(["shared": Repl.source("shared", "1")]),
            targets: [Repl.target("us-west", region: "us-west-2", ["shared": Repl.source("shared", "1", rv: "3")])], now: Repl.now)
        guard case .update(let adopted)? = first.targets.first?.effects.first else { throw PlanShape(effects: first.targets.first?.effects ?? []) }
        #expect(adopted.object["metadata"]?["annotations"]?[FederationAnnotation.adopted] == "true")
        // A later source write keeps the mark; a replica the rule created never gets it.
        var stamped = adopted.object
        stamped["metadata"]?["resourceVersion"] = "4"
        let second = planReplication(
            rule: rule, source: "us-east", epoch: 1, sources: Repl.sources(["shared": Repl.source("shared", "2", rv: "11"), "new": Repl.source("new", "1")]),
            targets: [Repl.target("us-west", region: "us-west-2", ["shared": stamped])], now: Repl.now)
        let marks = second.targets[0].effects.compactMap { effect -> String? in
            switch effect {
            case .create(let w), .update(let w): "\(w.key.name) \(w.object["metadata"]?["annotations"]?[FederationAnnotation.adopted]?.stringValue ?? "-")"
            default: nil
            }
        }
        #expect(marks.sorted() == ["new -", "shared true"])
        // Deleting the rule deletes what it created and removes its stamp from what it adopted.
        let plans = ReplicationRemoval.plan(rule: rule, targets: [Repl.target("us-west", region: "us-west-2", ["shared": stamped, "mine": Repl.replica("mine", "1")])])
        #expect(Repl.describe(plans[0].effects) == ["delete mine", "release shared"])
    }

    /// The effects were not the ones expected.
    struct PlanShape: Error { let effects: [ReplicationEffect] }

    @Test func orphanDeletesNothing() {
        let plans = ReplicationRemoval.plan(rule: Repl.rule(deletion: .orphan), targets: [Repl.target("us-west", region: "us-west-2", Self.objects)])
        #expect(plans.map(\.effects) == [[]])
    }

    @Test func waitsForAnUnreachableTargetThenGivesUpStalled() {
        var rule = Repl.rule()
        rule.metadata.deletionTimestamp = KubeTime(Repl.now)
        #expect(ReplicationRemoval.decide(rule: rule, pending: [:], cleanupTimeout: 30, now: Repl.now.addingTimeInterval(100)) == .release)
        guard case .wait(let conditions) = ReplicationRemoval.decide(rule: rule, pending: ["eu": "unreachable"], cleanupTimeout: 30, now: Repl.now.addingTimeInterval(10)) else {
            Issue.record("expected a wait within the timeout")
            return
        }
        #expect(conditions.map(\.type) == ["Reconciling"])
        #expect(conditions[0].reason == "Finalizing")
        #expect(conditions[0].message.contains("eu (unreachable)") && conditions[0].message.contains("giving up in 20 s"))
        guard case .abandon(let stalled, let message) = ReplicationRemoval.decide(
            rule: rule, pending: ["eu": "unreachable"], cleanupTimeout: 30, now: Repl.now.addingTimeInterval(30))
        else {
            Issue.record("expected the cleanup to be abandoned after the timeout")
            return
        }
        #expect(stalled.map(\.type) == ["Reconciling", "Stalled"])
        #expect(stalled.allSatisfy { $0.reason == "CleanupTimedOut" })
        // What is left is found with kubectl (it selects by label only, so the annotation is listed) and named by its rule.
        #expect(message.contains("eu (unreachable)") && message.contains("may be left"))
        #expect(message.contains("`kubectl get configmap -n shop -o 'custom-columns=KIND:.kind,NAME:.metadata.name,RULE:.metadata.annotations.federation\\.concord\\.dev/rule'`"))
        #expect(message.hasSuffix("delete those whose RULE is shop/global."))
    }
}

/// Copies a deleted rule left behind (`deletion: Orphan`) belong to no rule any more: a rule selecting
/// them takes them over instead of waiting for a person to settle a conflict with a rule that is gone.
struct ReplicationLeftoverTests {
    static func plan(liveRules: Set<String>?) -> [String] {
        let leftovers = ["same": Repl.replica("same", "1", rule: "shop/gone"), "changed": Repl.replica("changed", "local", rule: "shop/gone")]
        let plan = planReplication(
            rule: Repl.rule(), source: "us-east", epoch: 1, sources: Repl.sources(["same": Repl.source("same", "1"), "changed": Repl.source("changed", "1")]),
            targets: [Repl.target("us-west", region: "us-west-2", leftovers)], now: Repl.now, liveRules: liveRules)
        return plan.targets[0].effects.map { effect in
            switch effect {
            case .update(let w): "update \(w.key.name) adopted=\(w.object["metadata"]?["annotations"]?[FederationAnnotation.adopted]?.stringValue ?? "-")"
            case .conflict(let c): "conflict \(c.key.name) \(c.outcome.rawValue) \(c.otherRule ?? "-")"
            default: Repl.describe([effect])[0]
            }
        }
    }

    @Test func aCopyOfADeletedRuleIsTakenOverAsOneNoRuleWrote() {
        // The rule that stamped them is gone: the copy holding the source's content is adopted, the other restored (SourceWins).
        #expect(Self.plan(liveRules: [Repl.ruleID]) == ["conflict changed Restored -", "update changed adopted=true", "update same adopted=true"])
        // While that rule exists, both are its copies: two rules must not take turns.
        #expect(Self.plan(liveRules: [Repl.ruleID, "shop/gone"]) == ["conflict changed AwaitingPerson shop/gone", "conflict same AwaitingPerson shop/gone"])
        #expect(Self.plan(liveRules: nil) == Self.plan(liveRules: [Repl.ruleID, "shop/gone"]))
    }
}
