import ConcordTesting
import ControllerRuntime
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Logging
import Testing

/// The Datacenter controller against real control planes over HTTP: a hub and a member.
@Suite(.serialized) struct DatacenterControllerTests {
    /// Installs the CRDs into the hub.
    static func installCRDs(_ hub: KubeClient) async throws {
        let crds = hub.dynamic(GroupVersionResource(group: "apiextensions.k8s.io", version: "v1", resource: "customresourcedefinitions"), namespaced: false, kind: "CustomResourceDefinition")
        for crd in FederationCRDs.all { _ = try await crds.create(crd) }
    }

    /// Stores `kubeconfig` in `concord-system/<name>-kubeconfig` and creates the Datacenter.
    static func register(_ hub: KubeClient, name: String, kubeconfig: String) async throws {
        let secret = Secret(metadata: ObjectMeta(name: "\(name)-kubeconfig", namespace: "concord-system"), data: ["kubeconfig": Data(kubeconfig.utf8).base64EncodedString()])
        _ = try await hub.resource(Secret.self).create(secret, namespace: "concord-system")
        let dc = Datacenter(
            metadata: ObjectMeta(name: name),
            spec: DatacenterSpec(region: "test-1", credentialsRef: SecretKeyReference(namespace: "concord-system", name: "\(name)-kubeconfig")))
        _ = try await hub.resource(Datacenter.self).create(dc)
    }

    /// `waitUntil` with the 20 s these hub-and-member tests allow a busy machine, polling every 50 ms.
    static func waitFor(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
        try await waitUntil(what, timeout: timeout, every: .milliseconds(50), condition)
    }

    /// Runs the controllers against `hub` while `body` runs.
    static func withControllers(
        _ hub: KubeClient, cleanupTimeout: TimeInterval = 30, metrics: RuntimeMetrics? = nil, logger: Logger? = nil, _ body: () async throws -> Void
    ) async throws {
        try await withControllers(hub, options: ControllerOptions(memberCleanupTimeout: cleanupTimeout, metrics: metrics), logger: logger, body)
    }

    /// Runs the controllers built with `options` against `hub` while `body` runs.
    static func withControllers(_ hub: KubeClient, options: ControllerOptions, logger: Logger? = nil, _ body: () async throws -> Void) async throws {
        var quiet = Logger(label: "test.controllers")
        quiet.logLevel = .warning
        let set = FederationControllerSet(hub: hub, options: options, logger: logger ?? quiet)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await set.run(handlingSignals: false) }
            do {
                try await body()
            } catch {
                await set.shutdown()
                throw error
            }
            await set.shutdown()
            try await group.waitForAll()
        }
    }

    @Test func registersAMemberAndCleansUpOnDeletion() async throws {
        try await withTestControlPlane { hubPlane in
            try await withTestControlPlane { memberPlane in
                let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
                let member = try KubeClient(kubeconfigPath: memberPlane.kubeconfigPath)
                try await Self.installCRDs(hub)
                try await Self.register(hub, name: "east", kubeconfig: String(contentsOfFile: memberPlane.kubeconfigPath, encoding: .utf8))
                let dcs = hub.resource(Datacenter.self)
                try await Self.withControllers(hub) {
                    try await Self.waitFor("east Ready") { try await dcs.get("east").status?.phase == .ready }
                    let east = try await dcs.get("east")
                    #expect(east.metadata.finalizers == [Datacenter.finalizer])
                    #expect(east.status?.serverVersion?.hasPrefix("v1.32") == true)
                    #expect(east.status?.conditions.isTrue(Datacenter.ConditionType.registered) == true)
                    #expect(east.status?.conditions.isTrue(Datacenter.ConditionType.reachable) == true)
                    #expect(east.status?.conditions.isTrue(Datacenter.ConditionType.ready) == true)
                    #expect(east.status?.observedGeneration == east.metadata.generation)
                    let messages = (east.status?.conditions ?? []).map(\.message).joined(separator: "\n")
                    #expect(!memberPlane.token.isEmpty && !messages.contains(memberPlane.token), "a status message exposes the member's token")
                    try await Self.waitFor("the fencing marker in the member") {
                        do {
                            let marker = try await member.resource(ConfigMap.self).get(FencingMarker.name, namespace: FencingMarker.namespace)
                            return marker.data?["datacenter"] == "east"
                        } catch let e as KubeAPIError where e.isNotFound { return false }
                    }
                    _ = try await dcs.delete("east")
                    try await Self.waitFor("east deleted") {
                        do { _ = try await dcs.get("east"); return false } catch let e as KubeAPIError where e.isNotFound { return true }
                    }
                    do {
                        _ = try await member.resource(ConfigMap.self).get(FencingMarker.name, namespace: FencingMarker.namespace)
                        Issue.record("the fencing marker is still in the member after deletion")
                    } catch let e as KubeAPIError where e.isNotFound {}
                }
                try await member.shutdown()
                try await hub.shutdown()
            }
        }
    }

    @Test func aMissingSecretIsReportedWithWhatToDo() async throws {
        try await withTestControlPlane { hubPlane in
            let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
            try await Self.installCRDs(hub)
            let dc = Datacenter(metadata: ObjectMeta(name: "lost"), spec: DatacenterSpec(region: "r", credentialsRef: SecretKeyReference(name: "nowhere")))
            _ = try await hub.resource(Datacenter.self).create(dc)
            try await Self.withControllers(hub) {
                try await Self.waitFor("a Registered condition") {
                    try await hub.resource(Datacenter.self).get("lost").status?.conditions.condition(Datacenter.ConditionType.registered)?.status == .false
                }
                let status = try await hub.resource(Datacenter.self).get("lost").status
                let registered = status?.conditions.condition(Datacenter.ConditionType.registered)
                #expect(registered?.reason == Datacenter.Reason.credentialsUnavailable)
                #expect(registered?.message.contains("Secret concord-system/nowhere not found") == true, "\(registered?.message ?? "")")
                #expect(status?.phase == .pending)
            }
            try await hub.shutdown()
        }
    }

    @Test func deletingADatacenterWhoseMemberIsGoneEndsAfterTheBoundedWait() async throws {
        // Hub, probes, requeues and the deletion bound all run on one manual clock.
        let clock = ManualClock(start: Date())
        try await withTestControlPlane(configure: { $0.now = { clock.date } }) { hubPlane in
            let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
            try await Self.installCRDs(hub)
            let dcs = hub.resource(Datacenter.self)
            let options = ControllerOptions(clock: clock, now: { clock.date }, memberCleanupTimeout: 2)
            try await Self.withControllers(hub, options: options) {
                try await withTestControlPlane { memberPlane in
                    try await Self.register(hub, name: "doomed", kubeconfig: String(contentsOfFile: memberPlane.kubeconfigPath, encoding: .utf8))
                    // Probes start a period apart on the manual clock: step it until the member is Ready.
                    let ready = try await eventually(timeout: .seconds(30), every: .milliseconds(20)) {
                        clock.advance(by: .milliseconds(250))
                        return try await dcs.get("doomed").status?.phase == .ready
                    }
                    #expect(ready, "doomed never became Ready")
                }
                // The member's control plane is gone now: cleanup cannot reach it.
                _ = try await dcs.delete("doomed")
                let waiting = try await eventually(timeout: .seconds(30)) {
                    let reconciling = try await dcs.get("doomed").status?.conditions.condition(Datacenter.ConditionType.reconciling)
                    return reconciling?.reason == CommonReason.finalizing && reconciling?.message.contains("waiting for member doomed") == true
                }
                #expect(waiting, "deletion must first wait for the member to remove its marker")
                // Within the bound (2 s after the request) nothing is given up: the object stays.
                clock.advance(by: .seconds(1))
                let stays = try await dcs.get("doomed")
                #expect(stays.metadata.finalizers?.contains(Datacenter.finalizer) == true)
                #expect(stays.status?.conditions.condition(Datacenter.ConditionType.stalled)?.status != .true)
                // Past the bound the next retry abandons the cleanup and releases the finalizer.
                let gone = try await eventually(timeout: .seconds(30), every: .milliseconds(20)) {
                    clock.advance(by: .milliseconds(250))
                    do { _ = try await dcs.get("doomed"); return false } catch let e as KubeAPIError where e.isNotFound { return true }
                }
                #expect(gone, "doomed must be deleted once the bound has passed")
                #expect(clock.date.timeIntervalSince(stays.metadata.deletionTimestamp?.date ?? .distantFuture) >= 2, "released before the bound")
            }
            try await hub.shutdown()
        }
    }
}
