import ConcordTesting
import ControllerRuntime
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Logging
import Testing

/// An undecodable Datacenter planted straight into the hub's storage (the API would refuse it).
@Suite(.serialized) struct InvalidDatacenterTests {
    static let storageResource = "datacenters.federation.concord.dev"

    /// The `Stalled` condition of a Datacenter, read without the typed decoder.
    static func stalled(_ hub: KubeClient, _ name: String) async throws -> JSONValue? {
        let raw = try await hub.dynamic(Datacenter.groupVersionResource, namespaced: false).get(name)
        return raw.value(at: ["status", "conditions"])?.arrayValue?.first { $0["type"]?.stringValue == Datacenter.ConditionType.stalled }
    }

    @Test func anUndecodableDatacenterIsSkippedReportedAndReconciledOnceFixed() async throws {
        try await withTestControlPlane { hubPlane in
            try await withTestControlPlane { memberPlane in
                let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
                try await DatacenterControllerTests.installCRDs(hub)
                let dcs = hub.resource(Datacenter.self)
                try await DatacenterControllerTests.register(hub, name: "east", kubeconfig: String(contentsOfFile: memberPlane.kubeconfigPath, encoding: .utf8))
                _ = try await dcs.create(Datacenter(metadata: ObjectMeta(name: "broken"), spec: DatacenterSpec(region: "r", credentialsRef: SecretKeyReference(name: "broken-kubeconfig"))))
                // 2^63 does not fit the typed decoder's Int64: before the fix, this stopped every list.
                try await hubPlane.plantUnvalidated(resource: Self.storageResource, name: "broken") {
                    $0.setValue(.double(9.223372036854776e18), at: ["spec", "capacity", "replicas"])
                }
                let log = CapturedLog()
                let metrics = RuntimeMetrics()
                try await DatacenterControllerTests.withControllers(hub, metrics: metrics, logger: log.logger(level: .info)) {
                    try await DatacenterControllerTests.waitFor("east Ready despite the undecodable Datacenter") { try await dcs.get("east").status?.phase == .ready }
                    // A Datacenter created after the bad one is reconciled too.
                    _ = try await dcs.create(Datacenter(metadata: ObjectMeta(name: "late"), spec: DatacenterSpec(region: "r", credentialsRef: SecretKeyReference(name: "late-kubeconfig"))))
                    try await DatacenterControllerTests.waitFor("late gets a status") { try await dcs.get("late").status?.conditions.condition(Datacenter.ConditionType.registered) != nil }
                    let broken = log.lines.filter { $0.contains("Skipped an object that cannot be decoded") && $0.contains("object=broken") }
                    #expect(broken.count == 1, "\(broken)")
                    #expect(broken.first?.contains("field=spec.capacity.replicas") == true)
                    #expect(metrics.registry.exposition().contains(#"concord_informer_decode_errors_total{resource="datacenters.federation.concord.dev"} 1"#))

                    // Broken while watched (a label that is not a string): it leaves the cache and is marked on its status.
                    try await hubPlane.plantUnvalidated(resource: Self.storageResource, name: "late") { $0.setValue(5, at: ["metadata", "labels", "tier"]) }
                    // The condition read is the one the wait saw: a status write the Datacenter controller
                    // started from its cache before the object broke can remove the mark for a moment (the
                    // reporter puts it back on the watch event that write causes).
                    var seen: JSONValue?
                    do {
                        try await DatacenterControllerTests.waitFor("the Stalled/InvalidObject condition on late") {
                            seen = try await Self.stalled(hub, "late")
                            return seen?["reason"]?.stringValue == "InvalidObject"
                        }
                    } catch {
                        Issue.record("controller log about late:\n\(log.lines.filter { $0.contains("late") }.joined(separator: "\n"))")
                        throw error
                    }
                    let stalled = try #require(seen)
                    #expect(stalled["status"] == "True")
                    #expect(stalled["message"]?.stringValue?.contains("metadata.labels.tier") == true, "\(stalled)")
                    let late = log.lines.filter { $0.contains("Skipped an object that cannot be decoded") && $0.contains("object=late") }
                    #expect(late.count == 1, "logged once, though the status write changed the object again: \(late)")
                    #expect(metrics.registry.exposition().contains(#"concord_informer_decode_errors_total{resource="datacenters.federation.concord.dev"} 2"#))

                    // Fixed through the API: picked up and reconciled, and the mark is gone.
                    _ = try await dcs.patch("broken", type: .merge, patch: ["spec": ["capacity": ["replicas": 5]]])
                    _ = try await dcs.patch("late", type: .merge, patch: ["metadata": ["labels": ["tier": "web"]]])
                    for name in ["broken", "late"] {
                        try await DatacenterControllerTests.waitFor("\(name) reconciled once fixed") {
                            let dc = try await dcs.get(name)
                            return dc.status?.conditions.condition(Datacenter.ConditionType.registered)?.reason == Datacenter.Reason.credentialsUnavailable
                                && dc.status?.conditions.condition(Datacenter.ConditionType.stalled) == nil
                                && dc.metadata.finalizers == [Datacenter.finalizer]
                        }
                    }
                    #expect(try await dcs.get("east").status?.phase == .ready)
                }
                try await hub.shutdown()
            }
        }
    }
}
