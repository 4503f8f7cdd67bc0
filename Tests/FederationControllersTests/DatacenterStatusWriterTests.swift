import ConcordTesting
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Testing

/// `Datacenter.status` has one writer per field: the Datacenter controller merge-patches the fields
/// it owns, the FederationPolicy controller `status.role`. Neither carries a resourceVersion, so
/// while both run and others write the object, no status write ever meets a 409.
@Suite(.serialized) struct DatacenterStatusWriterTests {
    static func isDatacenterStatus(_ path: String) -> Bool {
        path.hasPrefix("/apis/\(FederationGroup.apiVersion)/datacenters/") && path.hasSuffix("/status")
    }

    @Test func statusWritesNeverConflictWhileBothControllersAndOthersWrite() async throws {
        let hubLog = RequestLog()
        try await withTestControlPlane(configure: { hubLog.install(in: &$0) }) { hubPlane in
            try await withTestControlPlane { aPlane in
                try await withTestControlPlane { bPlane in
                    let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
                    try await DatacenterControllerTests.installCRDs(hub)
                    let dcs = hub.resource(Datacenter.self)
                    let policies = hub.resource(FederationPolicy.self)
                    try await DatacenterControllerTests.withControllers(hub) {
                        try await FederationPolicyControllerTests.registerWithPriority(hub, name: "a", priority: 200, kubeconfigPath: aPlane.kubeconfigPath)
                        try await FederationPolicyControllerTests.registerWithPriority(hub, name: "b", priority: 100, kubeconfigPath: bPlane.kubeconfigPath)
                        _ = try await policies.create(FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(primary: "a")))
                        try await DatacenterControllerTests.waitFor("a primary, b secondary") {
                            let a = try await dcs.get("a"), b = try await dcs.get("b")
                            return a.status?.role == .primary && b.status?.role == .secondary
                        }
                        // Others write the Datacenters all the time (an agent's marker reports, kubectl
                        // label and spec edits), and a handover moves both roles meanwhile.
                        for tick in 0..<60 {
                            if tick == 20 { _ = try await policies.patch("global", type: .merge, patch: ["spec": ["primary": "b"]]) }
                            for name in ["a", "b"] {
                                let patch: JSONValue = [
                                    "metadata": ["annotations": ["test.concord.dev/tick": .string("\(tick)")]],
                                    "spec": ["priority": .int(Int64(100 + tick % 7))],
                                ]
                                _ = try await dcs.patch(name, type: .merge, patch: patch)
                            }
                        }
                        try await DatacenterControllerTests.waitFor("roles moved and the latest generation observed") {
                            let a = try await dcs.get("a"), b = try await dcs.get("b")
                            return a.status?.role == .secondary && b.status?.role == .primary
                                && a.status?.observedGeneration == a.metadata.generation && b.status?.observedGeneration == b.metadata.generation
                        }
                    }
                    try await hub.shutdown()
                }
            }
        }
        let statusWrites = hubLog.requests.filter { Self.isDatacenterStatus($0.path) && ($0.method == "PATCH" || $0.method == "PUT") }
        let conflicts = statusWrites.filter { $0.code == 409 }
        #expect(conflicts.isEmpty, "\(conflicts.count) of \(statusWrites.count) Datacenter status writes got 409")
        #expect(statusWrites.filter { (200..<300).contains($0.code) }.count >= 6, "status was written: \(statusWrites.count)")
    }
}
