import FederationAPI
import Foundation
import Testing

@testable import ConcordCLI

/// `concord replication resolve` parsing and the replication lines of `concord status`.
struct ReplicationCommandTests {
    @Test func resolveParsesTheRuleObjectAndSide() throws {
        let r = try ReplicationCommand.Resolve.parse(["global-config", "shop/flags", "--keep", "target", "--datacenter", "eu-central"])
        #expect(r.rule == "global-config")
        #expect(r.object == "shop/flags")
        #expect(r.keep == .target)
        #expect(r.keep.annotation == "KeepTarget")
        #expect(r.datacenter == "eu-central")
    }

    /// `-n NAMESPACE` with a bare NAME reads as kubectl's; with NAMESPACE/NAME both must agree.
    @Test func resolveTakesTheNamespaceFromTheObjectOrDashN() throws {
        let slash = try ReplicationCommand.Resolve.parse(["r", "shop/flags", "--keep", "source"]).target()
        #expect(slash.namespace == "shop" && slash.name == "flags")
        let dashN = try ReplicationCommand.Resolve.parse(["r", "flags", "-n", "shop", "--keep", "source"]).target()
        #expect(dashN.namespace == "shop" && dashN.name == "flags")
        let long = try ReplicationCommand.Resolve.parse(["r", "shop/flags", "--namespace", "shop", "--keep", "source"]).target()
        #expect(long.namespace == "shop" && long.name == "flags")
        let bare = #expect(throws: CLIError.self) { try ReplicationCommand.Resolve.parse(["r", "flags", "--keep", "source"]).target() }
        #expect(bare?.description == "object must be NAMESPACE/NAME (or NAME with -n NAMESPACE), such as shop/global-flags")
        let disagree = #expect(throws: CLIError.self) { try ReplicationCommand.Resolve.parse(["r", "shop/flags", "-n", "web", "--keep", "source"]).target() }
        #expect(disagree?.description == "object shop/flags is in namespace shop, but -n says web: give one of them")
    }

    @Test func resolveRefusesAnotherSide() {
        #expect(throws: (any Error).self) { try ReplicationCommand.Resolve.parse(["r", "shop/flags", "--keep", "both"]) }
    }

    /// Under Mesh (the first FederationPolicy by name says so) there is no source: `--keep source` is refused with the fix.
    @Test func keepSourceIsRefusedUnderMesh() throws {
        func policy(_ name: String, _ topology: FederationTopology?) -> FederationPolicy {
            FederationPolicy(metadata: ObjectMeta(name: name), spec: FederationPolicySpec(topology: topology, primary: "a"))
        }
        let mesh = [policy("global", .mesh), policy("zz-other", .hubAndSpoke)]
        let refusal = try #require(ManualConflictResolver.meshRefusal(keep: .source, policies: mesh))
        #expect(refusal.description
            == "--keep source resolves nothing under FederationPolicy global's Mesh topology, which has no source: run --keep target --datacenter DATACENTER, naming the member whose copy to keep")
        #expect(!refusal.description.contains("\n"))
        #expect(ManualConflictResolver.meshRefusal(keep: .target, policies: mesh) == nil)
        #expect(ManualConflictResolver.meshRefusal(keep: .source, policies: [policy("global", nil), policy("mesh", .mesh)]) == nil)
        #expect(ManualConflictResolver.meshRefusal(keep: .source, policies: []) == nil)
    }

    @Test func statusShowsEachTargetWithLagAndWaitingConflicts() {
        let t = KubeTime(Date(timeIntervalSince1970: 1_800_000_000))
        let rule = ReplicationRule(
            metadata: ObjectMeta(name: "global-config", namespace: "shop"),
            spec: ReplicationRuleSpec(resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap")]),
            status: ReplicationRuleStatus(
                sourceDatacenter: "us-east", sourceEpoch: 2, objects: 3,
                targets: [
                    ReplicationTargetStatus(datacenter: "eu-central", state: .synced, lagSeconds: 0.25, objectsInSync: 3, conflicts: 0),
                    ReplicationTargetStatus(datacenter: "us-west", state: .synced, lagSeconds: 0.5, objectsInSync: 1, conflicts: 1),
                ],
                conditions: [Condition(type: "Ready", status: .false, lastTransitionTime: t, reason: "ManualResolutionRequired", message: "1 conflict waits for a person.")]))
        #expect(ReplicationLines.render([rule]) == [
            "ReplicationRule shop/global-config: source us-east (epoch 2), 3 objects — ManualResolutionRequired: 1 conflict waits for a person.",
            "  → eu-central: Synced, lag 0.2s, 3 in sync",
            "  → us-west: Synced, lag 0.5s, 1 in sync, 1 conflict waiting",
        ])
    }
}
