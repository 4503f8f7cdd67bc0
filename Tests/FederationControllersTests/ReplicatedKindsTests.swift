import ConcordTesting
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Synchronization
import Testing

/// Discovery answers are kept for a while, not for ever: a CustomResourceDefinition deleted in a
/// member is noticed once the answer is older than `maxAge`, and the kind then resolves as not served.
struct ReplicatedKindsTests {
    @Test func aDeletedDefinitionIsNoticedOnceTheAnswerIsOld() async throws {
        try await withTestControlPlane { plane in
            let client = try KubeClient(kubeconfigPath: plane.kubeconfigPath)
            let crds = client.dynamic(
                GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions"), namespaced: false,
                kind: "CustomResourceDefinition")
            _ = try await crds.create(ReplicationRuleDeletionTests.widgetCRD())
            let clock = SetClock(Date(timeIntervalSince1970: 1_800_000_000))
            let kinds = ReplicatedKinds(maxAge: 30, now: { clock.now })
            try await waitUntil("Widget served", timeout: .seconds(30)) {
                do {
                    _ = try await kinds.resolve(apiVersion: "example.com/v1", kind: "Widget", in: "a", client: client)
                    return true
                } catch is UnknownKindError {
                    return false
                }
            }
            _ = try await crds.delete("widgets.example.com")
            // A fresh answer is used as it is.
            clock.now = clock.now.addingTimeInterval(10)
            #expect(try await kinds.resolve(apiVersion: "example.com/v1", kind: "Widget", in: "a", client: client).resource.resource == "widgets")
            // An old one is read again: the kind is gone.
            clock.now = clock.now.addingTimeInterval(30)
            try await waitUntil("Widget no longer served", timeout: .seconds(30)) {
                do {
                    _ = try await kinds.resolve(apiVersion: "example.com/v1", kind: "Widget", in: "a", client: client)
                    return false
                } catch is UnknownKindError {
                    return true
                }
            }
            try await client.shutdown()
        }
    }
}
