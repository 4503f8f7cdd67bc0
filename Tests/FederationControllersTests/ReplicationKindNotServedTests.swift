import ConcordTesting
import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient
import Testing

/// A target that lacks a kind the rule replicates (its CustomResourceDefinition exists only at the
/// source) is reported as not serving it, with the fix, not as Unreachable; installing the kind
/// there lets the copy land.
@Suite(.serialized) struct ReplicationKindNotServedTests {
    typealias Setup = ReplicationTestSetup

    @Test func aTargetWithoutTheKindIsBlockedUntilItsCRDIsInstalled() async throws {
        try await Setup.withFederation(["a": "us-east-1", "b": "us-west-2"], primary: "a") { f in
            let a = f.members["a"]!, b = f.members["b"]!
            let crds = { (client: KubeClient) in
                client.dynamic(GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions"), namespaced: false, kind: "CustomResourceDefinition")
            }
            let widgets = { (client: KubeClient) in
                client.dynamic(GroupVersionResource(group: "example.com", version: "v1", resource: "widgets"), namespaced: true, kind: "Widget")
            }
            try await Setup.createNamespace("shop", in: a)
            _ = try await crds(a).create(ReplicationRuleDeletionTests.widgetCRD())
            let widget: JSONValue = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w1", "namespace": "shop"], "spec": ["size": 3]]
            try await waitUntil("the widget created at the source", timeout: .seconds(30)) {
                try await Self.served { _ = try await widgets(a).create(widget, namespace: "shop") }
            }
            try await f.createRule(Setup.rule(name: "widgets", resources: [ReplicatedResource(apiVersion: "example.com/v1", kind: "Widget")]))
            let fix = "b does not serve example.com/v1 Widget (widgets); replicate its CustomResourceDefinition there first, e.g. with a ReplicationRule in concord-system."
            try await f.waitForStatus("b reported as not serving the kind", rule: "widgets") { s in
                s.targets.first { $0.datacenter == "b" }?.state == .blocked && s.targets.first { $0.datacenter == "b" }?.message == fix
                    && s.conditions.condition("Synced")?.reason == "KindNotServed" && s.conditions.condition("Ready")?.message == fix
                    && s.conditions.condition("Ready")?.status == .false
            }
            let datacenter = try await f.hub.resource(Datacenter.self).get("b")
            #expect(datacenter.status?.phase != .unreachable)

            _ = try await crds(b).create(ReplicationRuleDeletionTests.widgetCRD())
            try await waitUntil("the widget replicated once b serves the kind", timeout: .seconds(60)) {
                var size: JSONValue?
                return try await Self.served { size = try await widgets(b).get("w1", namespace: "shop")["spec"]?["size"] } && size == 3
            }
            try await f.waitForStatus("Ready once b serves the kind", rule: "widgets") { s in
                s.conditions.isTrue("Ready") && s.targets.map(\.state) == [.synced]
            }
        }
    }

    /// True once `request` succeeds; false while it answers 404 (the kind not served yet, or the
    /// object not there yet). Any other error fails the test.
    static func served(_ request: () async throws -> Void) async throws -> Bool {
        do {
            try await request()
            return true
        } catch let error as KubeAPIError where error.isNotFound {
            return false
        }
    }
}
