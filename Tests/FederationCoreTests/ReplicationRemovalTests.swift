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
        #expect(message.contains("federation.concord.dev/rule=shop/global") && message.contains("eu (unreachable)"))
    }
}
