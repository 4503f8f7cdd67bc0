import FederationAPI
import FederationCore
import Foundation
import Testing

/// Targets that do not serve a kind the rule replicates are Blocked with what to install there,
/// never reported Unreachable.
struct ReplicationUnservedStatusTests {
    @Test func targetsLackingAKindAreBlockedAndNamedWithTheFix() {
        let rule = Repl.rule()
        let plan = ReplicationStatusTests.plan(rule, replicas: [:])
        var round = ReplicationRound(plan: plan, sourceRevision: "10", unreachable: ["ap-south"])
        let widget = "example.com/v1 Widget (widgets)"
        round.unserved = ["eu-central": [widget], "us-central": [widget], "sa-east": [widget, "example.com/v1 Gadget (gadgets)"]]
        let (status, _) = ReplicationStatusBuilder.status(rule: rule, round: round, now: Repl.now)
        #expect(status.targets.map(\.datacenter) == ["ap-south", "eu-central", "sa-east", "us-central", "us-west"])
        #expect(status.targets.map(\.state) == [.unreachable, .blocked, .blocked, .blocked, .synced])
        #expect(status.targets[1].message
            == "eu-central does not serve example.com/v1 Widget (widgets); replicate its CustomResourceDefinition there first, e.g. with a ReplicationRule in concord-system.")
        #expect(status.targets[2].message
            == "sa-east does not serve example.com/v1 Widget (widgets), example.com/v1 Gadget (gadgets); replicate their CustomResourceDefinitions there first, e.g. with a ReplicationRule in concord-system.")
        let synced = status.conditions.condition("Synced")
        #expect(synced?.status == .false)
        #expect(synced?.reason == "KindNotServed")
        #expect(synced?.message == "eu-central, us-central do not serve example.com/v1 Widget (widgets); replicate its CustomResourceDefinition there first, e.g. with a ReplicationRule in concord-system. "
            + "sa-east does not serve example.com/v1 Widget (widgets), example.com/v1 Gadget (gadgets); replicate their CustomResourceDefinitions there first, e.g. with a ReplicationRule in concord-system.")
        #expect(status.conditions.condition("Ready")?.reason == "KindNotServed")
        #expect(status.conditions.condition("Ready")?.status == .false)
        #expect(status.conditions.condition("Stalled") == nil)
        // In progress for kstatus readers: the definition may be on its way.
        #expect(status.conditions.condition("Reconciling")?.status == .true)
        #expect(status.conditions.condition("Reconciling")?.reason == "KindNotServed")
    }
}
