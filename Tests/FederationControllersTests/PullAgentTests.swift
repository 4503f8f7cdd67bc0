import ConcordTesting
import FederationAPI
import FederationControllers
import FederationCore
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

    /// The hub cannot reach a Pull member: its agent fences it from the policy status and reports
    /// the marker; the hub counts the report (Promoting stays True until it arrives).
    @Test func theAgentFencesItsPullMemberAndReportsTheMarker() async throws {
        try await withTestControlPlane { hubPlane in
            try await withTestControlPlane { pushPlane in
                try await withTestControlPlane { pullPlane in
                    let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
                    let push = try KubeClient(kubeconfigPath: pushPlane.kubeconfigPath)
                    let pull = try KubeClient(kubeconfigPath: pullPlane.kubeconfigPath)
                    try await DatacenterControllerTests.installCRDs(hub)
                    var logger = Logger(label: "test.agent")
                    logger.logLevel = .warning
                    let agent = PullAgent(
                        hub: hub, member: pull,
                        options: PullAgentOptions(datacenter: "edge", region: "eu-west-1", leaseDurationSeconds: 2, identity: "agent-a"),
                        logger: logger)
                    let policies = hub.resource(FederationPolicy.self)
                    let dcs = hub.resource(Datacenter.self)
                    try await DatacenterControllerTests.withControllers(hub) {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask { try await agent.run() }
                            try await FederationPolicyControllerTests.registerWithPriority(hub, name: "core", priority: 100, kubeconfigPath: pushPlane.kubeconfigPath)
                            try await DatacenterControllerTests.waitFor("both Ready") {
                                let phases = try await dcs.list().items.map { $0.status?.phase }
                                return phases.count == 2 && phases.allSatisfy { $0 == .ready }
                            }
                            _ = try await policies.create(FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(primary: "core")))
                            let first = FencingMarker(policy: "global", primary: "core", epoch: 1)
                            try await DatacenterControllerTests.waitFor("epoch 1 in both members, reported by the agent, Promoting False") {
                                let s = try await policies.get("global").status
                                let promoting = s?.conditions.condition(FederationPolicy.ConditionType.promoting)?.status
                                let report = try await dcs.get("edge").metadata.annotations?[MarkerReport.annotation]
                                let pushed = try await FederationPolicyControllerTests.marker(push)
                                let pulled = try await FederationPolicyControllerTests.marker(pull)
                                return s?.epoch == 1 && pushed == first && pulled == first && report == "global/core/1" && promoting == .false
                            }
                            // A planned handover to the Pull member: its agent writes its marker, the hub writes core's.
                            _ = try await policies.patch("global", type: .merge, patch: ["spec": ["primary": "edge"]])
                            let second = FencingMarker(policy: "global", primary: "edge", epoch: 2)
                            try await DatacenterControllerTests.waitFor("edge primary at epoch 2 in both members") {
                                let s = try await policies.get("global").status
                                let pushed = try await FederationPolicyControllerTests.marker(push)
                                let pulled = try await FederationPolicyControllerTests.marker(pull)
                                return s?.primary == "edge" && s?.epoch == 2 && pushed == second && pulled == second
                            }
                            try await DatacenterControllerTests.waitFor("roles in step and the report current") {
                                let edge = try await dcs.get("edge"), core = try await dcs.get("core")
                                return edge.status?.role == .primary && core.status?.role == .secondary
                                    && edge.metadata.annotations?[MarkerReport.annotation] == "global/edge/2"
                            }
                            group.cancelAll()
                        }
                    }
                    try await pull.shutdown()
                    try await push.shutdown()
                    try await hub.shutdown()
                }
            }
        }
    }
}
