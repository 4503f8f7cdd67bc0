import ConcordTesting
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Testing

/// Promotion against real control planes: the primary's control plane stops, the best candidate is
/// promoted at epoch + 1, and the reachable members' markers carry the new epoch.
@Suite(.serialized) struct FederationPolicyControllerTests {
    static func marker(_ member: KubeClient) async throws -> FencingMarker? {
        do {
            let cm = try await member.resource(ConfigMap.self).get(FencingMarker.name, namespace: FencingMarker.namespace)
            return FencingMarker(configMap: cm)
        } catch let e as KubeAPIError where e.isNotFound { return nil }
    }

    static func registerWithPriority(_ hub: KubeClient, name: String, priority: Int, kubeconfigPath: String) async throws {
        let kubeconfig = try String(contentsOfFile: kubeconfigPath, encoding: .utf8)
        let secret = Secret(metadata: ObjectMeta(name: "\(name)-kubeconfig", namespace: "concord-system"), data: ["kubeconfig": Data(kubeconfig.utf8).base64EncodedString()])
        _ = try await hub.resource(Secret.self).create(secret, namespace: "concord-system")
        let dc = Datacenter(metadata: ObjectMeta(name: name), spec: DatacenterSpec(region: "r-\(name)", credentialsRef: SecretKeyReference(name: "\(name)-kubeconfig"), priority: priority))
        _ = try await hub.resource(Datacenter.self).create(dc)
    }

    @Test func losingThePrimaryPromotesTheBestCandidateAndFencesTheRest() async throws {
        try await withTestControlPlane { hubPlane in
            try await withTestControlPlane { bPlane in
                try await withTestControlPlane { cPlane in
                    let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
                    let b = try KubeClient(kubeconfigPath: bPlane.kubeconfigPath)
                    let c = try KubeClient(kubeconfigPath: cPlane.kubeconfigPath)
                    try await DatacenterControllerTests.installCRDs(hub)
                    let policies = hub.resource(FederationPolicy.self)
                    try await DatacenterControllerTests.withControllers(hub) {
                        try await Self.registerWithPriority(hub, name: "b", priority: 200, kubeconfigPath: bPlane.kubeconfigPath)
                        try await Self.registerWithPriority(hub, name: "c", priority: 100, kubeconfigPath: cPlane.kubeconfigPath)
                        try await withTestControlPlane { aPlane in
                            try await Self.registerWithPriority(hub, name: "a", priority: 100, kubeconfigPath: aPlane.kubeconfigPath)
                            let policy = FederationPolicy(
                                metadata: ObjectMeta(name: "global"),
                                spec: FederationPolicySpec(primary: "a", promotion: PromotionSpec(unreachableForSeconds: 1)))
                            _ = try await policies.create(policy)
                            try await DatacenterControllerTests.waitFor("a elected at epoch 1 and fenced everywhere") {
                                let s = try await policies.get("global").status
                                guard s?.primary == "a", s?.epoch == 1 else { return false }
                                let mb = try await Self.marker(b)
                                let mc = try await Self.marker(c)
                                return mb?.epoch == 1 && mc?.epoch == 1
                            }
                            #expect(try await Self.marker(b) == FencingMarker(policy: "global", primary: "a", epoch: 1))
                            #expect(try await hub.resource(Datacenter.self).get("a").status?.role == .primary)
                        }
                        // a's control plane is gone: after detection and unreachableForSeconds, b (priority 200) takes over.
                        try await DatacenterControllerTests.waitFor("b promoted at epoch 2", timeout: .seconds(30)) {
                            let s = try await policies.get("global").status
                            return s?.primary == "b" && s?.epoch == 2
                        }
                        let status = try await policies.get("global").status
                        #expect(status?.lastPromotion?.from == "a")
                        #expect(status?.lastPromotion?.reason == FederationPolicy.Reason.primaryUnreachable)
                        #expect(status?.history.first?.epoch == 2)
                        try await DatacenterControllerTests.waitFor("markers at epoch 2 on b and c") {
                            let mb = try await Self.marker(b)
                            let mc = try await Self.marker(c)
                            let expected = FencingMarker(policy: "global", primary: "b", epoch: 2)
                            return mb == expected && mc == expected
                        }
                        try await DatacenterControllerTests.waitFor("roles in step") {
                            let dcs = try await hub.resource(Datacenter.self).list().items
                            let roles = Dictionary(uniqueKeysWithValues: dcs.map { ($0.metadata.name ?? "", $0.status?.role) })
                            return roles["b"] == .primary && roles["c"] == .secondary && roles["a"] == .secondary
                        }
                    }
                    try await c.shutdown()
                    try await b.shutdown()
                    try await hub.shutdown()
                }
            }
        }
    }
}
