import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Logging
import Testing

@testable import FederationControllers

/// Every federation controller is built the same way: shared cache, metrics observer, one status writer per field.
struct ControllerShapeTests {
    static func set(metrics: RuntimeMetrics? = nil) -> FederationControllerSet {
        var logger = Logger(label: "test.controllers")
        logger.logLevel = .critical
        return FederationControllerSet(hub: KubeClient(transport: FakeKubeTransport()), options: ControllerOptions(metrics: metrics), logger: logger)
    }

    @Test func everyControllerExportsControllerRuntimeMetrics() {
        let metrics = RuntimeMetrics()
        _ = Self.set(metrics: metrics)
        let text = metrics.registry.exposition()
        for controller in ["datacenter", "federationpolicy", "replicationrule", "servicefailover"] {
            #expect(text.contains(#"controller_runtime_reconcile_total{controller="\#(controller)",result="success"} 0"#), "\(text)")
            #expect(text.contains(#"workqueue_depth{controller="\#(controller)",name="\#(controller)"} 0"#), "\(text)")
        }
    }

    @Test func everyControllerReadsTheSharedCache() {
        let set = Self.set()
        #expect(set.cache.all.filter { $0 is Informer<FederationPolicy> }.count == 1)
        #expect(set.cache.all.filter { $0 is Informer<Datacenter> }.count == 1)
        #expect(set.cache.all.filter { $0 is Informer<ReplicationRule> }.count == 1)
        #expect(set.cache.all.filter { $0 is Informer<ServiceFailover> }.count == 1)
        #expect(set.cache.all.count == 4, "no other hub informer")
    }

    /// The Datacenter controller writes every status field but `role`, which the FederationPolicy controller owns.
    @Test func theDatacenterControllerOwnsEveryStatusFieldButRole() throws {
        let t = KubeTime(Date(timeIntervalSince1970: 1_800_000_000))
        let full = DatacenterStatus(
            observedGeneration: 1, phase: .ready, role: .primary, serverVersion: "v1.32.0", latencyMilliseconds: 3, consecutiveFailures: 0,
            consecutiveSuccesses: 2, lastProbeTime: t, unhealthySince: t,
            conditions: [Condition(type: "Ready", status: .true, lastTransitionTime: t, reason: "Healthy")])
        let fields = try #require(try JSONValue(encoding: full).objectValue).keys
        #expect(Set(DatacenterReconciler.ownedStatusFields) == Set(fields).subtracting(["role"]))
    }

    /// The ReplicationRule controller writes every field of its status (it is their one writer).
    @Test func theReplicationRuleControllerWritesEveryStatusField() throws {
        let t = KubeTime(Date(timeIntervalSince1970: 1_800_000_000))
        let full = ReplicationRuleStatus(
            observedGeneration: 1, sourceDatacenter: "a", sourceEpoch: 1, sourceRevision: "1", objects: 1,
            targets: [ReplicationTargetStatus(datacenter: "b")],
            conflicts: [ReplicationConflict(datacenter: "b", kind: "ConfigMap", name: "x", detectedAt: t, resolution: .manual)], conflictsTotal: 1,
            conditions: [Condition(type: "Ready", status: .true, lastTransitionTime: t, reason: "Succeeded")])
        let fields = try #require(try JSONValue(encoding: full).objectValue).keys
        #expect(Set(ReplicationRuleReconciler.statusFields) == Set(fields))
    }

    /// The ServiceFailover controller writes every field of its status (it is their one writer).
    @Test func theServiceFailoverControllerWritesEveryStatusField() throws {
        let t = KubeTime(Date(timeIntervalSince1970: 1_800_000_000))
        let move = FailoverTransition(from: "a", to: "b", reason: "Failback", startedAt: t, completedAt: t, durationSeconds: 1)
        let full = ServiceFailoverStatus(
            observedGeneration: 1, activeDatacenter: "b", placement: "b", phase: .active, primaryReplicas: 1, unplacedReplicas: 1,
            datacenters: [ServiceDatacenterStatus(name: "b")], lastTransition: move, history: [move],
            conditions: [Condition(type: "Ready", status: .true, lastTransitionTime: t, reason: "Succeeded")])
        let fields = try #require(try JSONValue(encoding: full).objectValue).keys
        #expect(Set(ServiceFailoverReconciler.statusFields) == Set(fields))
    }

    /// Datacenter updates wake ReplicationRules only when a plan could change: probe-time and
    /// latency refreshes (most Datacenter writes) wake none; a region, role or phase change does.
    @Test func replicationRulesWakeOnlyForDatacenterChangesAPlanReads() {
        let t = KubeTime(Date(timeIntervalSince1970: 1_800_000_000))
        let ready = Datacenter(
            metadata: ObjectMeta(name: "eu", resourceVersion: "1", generation: 1), spec: DatacenterSpec(region: "eu-west-1"),
            status: DatacenterStatus(observedGeneration: 1, phase: .ready, latencyMilliseconds: 3, lastProbeTime: t,
                                     conditions: [Condition(type: "Ready", status: .true, lastTransitionTime: t, reason: "Healthy")]))
        var refreshed = ready
        refreshed.metadata.resourceVersion = "2"
        refreshed.status?.latencyMilliseconds = 40
        refreshed.status?.lastProbeTime = KubeTime(Date(timeIntervalSince1970: 1_800_000_010))
        #expect(!ReplicationRuleController.datacenterChangeMatters(ready, refreshed))
        var moved = ready
        moved.spec.region = "us-east-1"
        #expect(ReplicationRuleController.datacenterChangeMatters(ready, moved))
        var promoted = ready
        promoted.status?.role = .primary
        #expect(ReplicationRuleController.datacenterChangeMatters(ready, promoted))
    }

    /// A capacity change wakes ServiceFailovers at once (the division and the fit check read it), while
    /// a probe refresh does not: an overcommit must not wait for the next resync.
    @Test func serviceFailoversWakeForACapacityChangeButNotForAProbeRefresh() {
        let t = KubeTime(Date(timeIntervalSince1970: 1_800_000_000))
        let ready = Datacenter(
            metadata: ObjectMeta(name: "us-west", resourceVersion: "1", generation: 1),
            spec: DatacenterSpec(region: "us-west-2", capacity: DatacenterCapacity(replicas: 8)),
            status: DatacenterStatus(observedGeneration: 1, phase: .ready, latencyMilliseconds: 3, lastProbeTime: t))
        var refreshed = ready
        refreshed.metadata.resourceVersion = "2"
        refreshed.status?.latencyMilliseconds = 40
        #expect(!ServiceFailoverController.datacenterChangeMatters(ready, refreshed))
        var smaller = ready
        smaller.spec.capacity = DatacenterCapacity(replicas: 2)
        #expect(ServiceFailoverController.datacenterChangeMatters(ready, smaller))
        var unbounded = ready
        unbounded.spec.capacity = nil
        #expect(ServiceFailoverController.datacenterChangeMatters(ready, unbounded))
    }
}
