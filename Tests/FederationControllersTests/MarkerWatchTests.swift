import ConcordTesting
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Testing

/// The fencing markers are watched in the members: a marker deleted or edited by hand is put back
/// from the member's watch event, without a resync (the resync is an hour here), and the members
/// never see a marker GET.
@Suite(.serialized) struct MarkerWatchTests {
    static let expected = FencingMarker(policy: "global", primary: "a", epoch: 1)
    static let markerPath = "/api/v1/namespaces/\(FencingMarker.namespace)/configmaps/\(FencingMarker.name)"

    /// Reads the marker with a LIST (so the test's own reads are not marker GETs).
    static func markerConfigMap(_ member: KubeClient) async throws -> ConfigMap? {
        try await member.resource(ConfigMap.self).list(
            namespace: FencingMarker.namespace, options: ListOptions(fieldSelector: "metadata.name=\(FencingMarker.name)")).items.first
    }

    static func marker(_ member: KubeClient) async throws -> FencingMarker? {
        try await markerConfigMap(member).flatMap(FencingMarker.init(configMap:))
    }

    /// A hub and members a (primary) and b fenced at epoch 1 under policy `global`, with the
    /// controllers running on an hour-long policy resync; `body` gets b's client and request log.
    static func withFencedMembers(_ body: (_ b: KubeClient, _ bLog: RequestLog) async throws -> Void) async throws {
        let bLog = RequestLog()
        try await withTestControlPlane { hubPlane in
            try await withTestControlPlane { aPlane in
                try await withTestControlPlane(configure: { bLog.install(in: &$0) }) { bPlane in
                    let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
                    let a = try KubeClient(kubeconfigPath: aPlane.kubeconfigPath)
                    let b = try KubeClient(kubeconfigPath: bPlane.kubeconfigPath)
                    try await DatacenterControllerTests.installCRDs(hub)
                    let options = ControllerOptions(requeue: RequeuePolicy(policyResync: .seconds(3600)))
                    try await DatacenterControllerTests.withControllers(hub, options: options) {
                        try await FederationPolicyControllerTests.registerWithPriority(hub, name: "a", priority: 200, kubeconfigPath: aPlane.kubeconfigPath)
                        try await FederationPolicyControllerTests.registerWithPriority(hub, name: "b", priority: 100, kubeconfigPath: bPlane.kubeconfigPath)
                        _ = try await hub.resource(FederationPolicy.self).create(
                            FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(primary: "a")))
                        try await DatacenterControllerTests.waitFor("a and b fenced at epoch 1") {
                            let ma = try await Self.marker(a)
                            let mb = try await Self.marker(b)
                            return ma == Self.expected && mb == Self.expected
                        }
                        try await body(b, bLog)
                    }
                    try await b.shutdown()
                    try await a.shutdown()
                    try await hub.shutdown()
                }
            }
        }
        let gets = bLog.requests.filter { $0.method == "GET" && $0.path == Self.markerPath }
        #expect(gets.isEmpty, "the member served marker GETs: \(gets.count)")
    }

    @Test func aMarkerDeletedInAMemberIsPutBackAtTheCurrentEpoch() async throws {
        try await Self.withFencedMembers { b, _ in
            _ = try await b.resource(ConfigMap.self).delete(FencingMarker.name, namespace: FencingMarker.namespace)
            try await DatacenterControllerTests.waitFor("b's marker put back at epoch 1", timeout: .seconds(2)) {
                try await Self.marker(b) == Self.expected
            }
        }
    }

    @Test func aMarkerEditedInAMemberIsPutBack() async throws {
        try await Self.withFencedMembers { b, _ in
            var edited = try #require(try await Self.markerConfigMap(b))
            edited.data?[FencingMarker.primaryKey] = "b"
            edited.data?[FencingMarker.epochKey] = "0"
            _ = try await b.resource(ConfigMap.self).update(edited)
            try await DatacenterControllerTests.waitFor("b's marker rewritten to epoch 1", timeout: .seconds(2)) {
                try await Self.marker(b) == Self.expected
            }
        }
    }
}
