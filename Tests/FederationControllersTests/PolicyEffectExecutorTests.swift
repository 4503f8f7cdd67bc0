import ConcordTesting
import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging
import Testing

@testable import FederationControllers

/// The executor runs a plan's effects in order against a real hub and member, and stops at the
/// first failed write.
@Suite(.timeLimit(.minutes(1)))
struct PolicyEffectExecutorTests {
    @Test func effectsRunInOrderAndStopAtTheFirstFailedMarkerWrite() async throws {
        try await withTestControlPlane { hubPlane in
            try await withTestControlPlane { memberPlane in
                let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
                let member = try KubeClient(kubeconfigPath: memberPlane.kubeconfigPath)
                try await DatacenterControllerTests.installCRDs(hub)
                let policies = hub.resource(FederationPolicy.self)
                let datacenters = hub.resource(Datacenter.self)
                for name in ["a", "b"] { _ = try await datacenters.create(Datacenter(metadata: ObjectMeta(name: name), spec: DatacenterSpec(region: "r"))) }
                let policy = try await policies.create(FederationPolicy(metadata: ObjectMeta(name: "global"), spec: FederationPolicySpec(primary: "a")))

                // b is connected; a has no connection, so its marker write fails.
                let members = Members(
                    connections: MemberConnections(logger: Logger(label: "test.members"), breaker: nil),
                    clock: .continuous, watchBackoff: .reflector, logger: Logger(label: "test.members"))
                let kubeconfig = try String(contentsOfFile: memberPlane.kubeconfigPath, encoding: .utf8)
                _ = try await members.connection(for: "b", secretRevision: "1", kubeconfig: kubeconfig, source: "test", now: Date())
                let marker = FencingMarker(policy: "global", primary: "a", epoch: 1)
                let failing = PolicyEffect.writeMarker(MarkerWrite(datacenter: "a", marker: marker, precondition: .mustNotExist, role: .primary))
                let plan = PolicyPlan(
                    decision: .promote(from: nil, to: "a", epoch: 1, reason: FederationPolicy.Reason.initialPrimary),
                    status: FederationPolicyStatus(primary: "a", epoch: 1),
                    effects: [
                        .writeStatus(FederationPolicyStatus(primary: "a", epoch: 1)),
                        .writeMarker(MarkerWrite(datacenter: "b", marker: marker, precondition: .mustNotExist, role: .secondary)),
                        .setRole(datacenter: "b", role: .secondary),
                        failing,
                        .setRole(datacenter: "a", role: .primary),
                    ],
                    requeue: .resync)
                let executor = PolicyEffectExecutor(
                    policies: policies, datacenters: datacenters, members: members, clock: .continuous,
                    markerWriteTimeout: .seconds(2), events: .disabled, logger: Logger(label: "test.executor"))

                #expect(try await executor.execute(plan, on: policy) == .stopped(at: failing))
                let status = try await policies.get("global").status
                #expect(status?.primary == "a" && status?.epoch == 1)
                let written = try await member.resource(ConfigMap.self).get(FencingMarker.name, namespace: FencingMarker.namespace)
                #expect(FencingMarker(configMap: written) == marker)
                #expect(try await datacenters.get("b").status?.role == .secondary)
                #expect(try await datacenters.get("a").status?.role == nil)

                // The policy as read before the status write is stale now: a second status write conflicts and stops the pass.
                await #expect(throws: KubeAPIError.self) {
                    _ = try await executor.execute(
                        PolicyPlan(decision: plan.decision, status: plan.status, effects: [.writeStatus(plan.status), .setRole(datacenter: "a", role: .primary)], requeue: .resync),
                        on: policy)
                }
                #expect(try await datacenters.get("a").status?.role == nil)
                await members.shutdownAll()
                try await member.shutdown()
                try await hub.shutdown()
            }
        }
    }
}
