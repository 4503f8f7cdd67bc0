import ConcordTesting
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Logging
import Testing

/// Pull mode against real control planes: the agent registers and heartbeats; the hub judges the Lease.
@Suite(.serialized) struct PullAgentTests {
    @Test func agentRegistersAPullDatacenterThatTurnsReadyAndThenUnreachableWhenItStops() async throws {
        try await withTestControlPlane { hubPlane in
            try await withTestControlPlane { memberPlane in
                let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
                let member = try KubeClient(kubeconfigPath: memberPlane.kubeconfigPath)
                try await DatacenterControllerTests.installCRDs(hub)
                var logger = Logger(label: "test.agent")
                logger.logLevel = .warning
                let agent = PullAgent(
                    hub: hub, member: member,
                    options: PullAgentOptions(datacenter: "edge-1", region: "eu-west-1", leaseDurationSeconds: 2, identity: "agent-a"),
                    logger: logger)
                let dcs = hub.resource(Datacenter.self)
                try await DatacenterControllerTests.withControllers(hub) {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await agent.run() }
                        try await DatacenterControllerTests.waitFor("edge-1 Ready through its Lease") {
                            do { return try await dcs.get("edge-1").status?.phase == .ready } catch let e as KubeAPIError where e.isNotFound { return false }
                        }
                        let dc = try await dcs.get("edge-1")
                        #expect(dc.spec.mode == .pull)
                        #expect(dc.spec.region == "eu-west-1")
                        let lease = try await hub.resource(Lease.self).get("dc-edge-1", namespace: "concord-system")
                        #expect(lease.spec?.holderIdentity == "agent-a")
                        #expect(lease.spec?.leaseDurationSeconds == 2)
                        let marker = try await member.resource(ConfigMap.self).get(FencingMarker.name, namespace: FencingMarker.namespace)
                        #expect(marker.data?["datacenter"] == "edge-1")
                        // The agent stops: the Lease expires and the hub declares the datacenter Unreachable.
                        group.cancelAll()
                        try await DatacenterControllerTests.waitFor("edge-1 Unreachable after the agent stopped", timeout: .seconds(20)) {
                            try await dcs.get("edge-1").status?.phase == .unreachable
                        }
                        let ready = try await dcs.get("edge-1").status?.conditions.condition(Datacenter.ConditionType.ready)
                        #expect(ready?.message.contains("Lease expired") == true, "\(ready?.message ?? "")")
                    }
                }
                try await member.shutdown()
                try await hub.shutdown()
            }
        }
    }
}
