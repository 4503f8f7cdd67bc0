import Foundation
import Testing

/// The resource examples of docs/resources.md, with their `...` placeholders filled in.
enum DesignExamples {
    struct Example: Sendable, CustomTestStringConvertible {
        let kind: String
        let yaml: String
        var testDescription: String { kind }
    }

    static let all = [
        Example(kind: "Datacenter", yaml: datacenter), Example(kind: "FederationPolicy", yaml: federationPolicy),
        Example(kind: "ReplicationRule", yaml: replicationRule), Example(kind: "ServiceFailover", yaml: serviceFailover),
    ]

    static let datacenter = """
        apiVersion: federation.concord.dev/v1alpha1
        kind: Datacenter
        metadata: {name: us-east, labels: {geo: us}}
        spec:
          region: us-east-1
          zone: us-east-1a
          provider: aws
          mode: Push
          credentialsRef: {namespace: concord-system, name: us-east-kubeconfig, key: kubeconfig}
          priority: 100
          capacity: {replicas: 200}
          unschedulable: false
          healthCheck: {periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 2}
        status:
          phase: Ready
          role: Primary
          serverVersion: v1.32.0
          latencyMilliseconds: 3
          consecutiveFailures: 0
          lastProbeTime: "2026-11-21T05:31:06Z"
          conditions:
          - {type: Registered, status: "True", reason: Connected, message: "", lastTransitionTime: "2026-11-21T05:30:00Z"}
          - {type: Reachable, status: "True", reason: ProbeSucceeded, message: "", lastTransitionTime: "2026-11-21T05:30:00Z"}
          - {type: Ready, status: "True", reason: Healthy, message: "", lastTransitionTime: "2026-11-21T05:30:01Z"}
        """

    static let federationPolicy = """
        apiVersion: federation.concord.dev/v1alpha1
        kind: FederationPolicy
        metadata: {name: global}
        spec:
          datacenterSelector: {}
          topology: HubAndSpoke
          primary: us-east
          promotion:
            mode: Automatic
            unreachableForSeconds: 30
            candidates: [us-west, eu-central]
            requireQuorum: true
          failback: Manual
          stabilizationSeconds: 120
        status:
          primary: us-west
          epoch: 4
          members: [{name: us-east, role: Secondary, phase: Unreachable}, {name: us-west, role: Primary, phase: Ready}]
          readyMembers: 2
          lastPromotion: {from: us-east, to: us-west, epoch: 4, reason: PrimaryUnreachable, time: "2026-11-21T05:31:06Z"}
          history:
          - {from: us-east, to: us-west, epoch: 4, reason: PrimaryUnreachable, time: "2026-11-21T05:31:06Z"}
          conditions:
          - {type: Ready, status: "True", reason: PrimaryReady, message: "", lastTransitionTime: "2026-11-21T05:31:06Z"}
        """

    static let replicationRule = """
        apiVersion: federation.concord.dev/v1alpha1
        kind: ReplicationRule
        metadata: {name: global-config, namespace: shop}
        spec:
          source: Primary
          targets: {datacenterSelector: {}}
          resources:
          - {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {scope: global}}}
          - {apiVersion: v1, kind: Secret, namePrefix: "global-"}
          mode: Continuous
          intervalSeconds: 30
          fullResyncSeconds: 1800
          conflictResolution: SourceWins
          deletion: Propagate
          residency: {allowedRegions: ["eu-*"]}
        status:
          sourceDatacenter: us-west
          sourceEpoch: 4
          sourceRevision: "81234"
          objects: 57
          targets:
          - {datacenter: eu-central, state: Synced, syncedRevision: "81234", lagSeconds: 0.2, objectsInSync: 57, conflicts: 0, lastSyncTime: "2026-11-21T05:31:06Z"}
          conflicts: [{datacenter: eu-central, kind: ConfigMap, name: global-flags, detectedAt: "2026-11-21T05:31:06Z", resolution: SourceWins}]
        """

    static let serviceFailover = """
        apiVersion: federation.concord.dev/v1alpha1
        kind: ServiceFailover
        metadata: {name: payment-api, namespace: shop}
        spec:
          service: payment-api
          workload: {apiVersion: apps/v1, kind: Deployment, name: payment-api}
          primary: us-east
          failover:
          - {datacenter: us-west, replicas: 3}
          - {datacenter: eu-central, replicas: 2}
          policy:
            mode: Automatic
            unhealthyForSeconds: 10
            minReadyReplicas: 1
            failback: Manual
            stabilizationSeconds: 120
          migration: {readinessTimeoutSeconds: 300}
        status:
          activeDatacenter: us-west
          phase: FailedOver
          datacenters:
          - {name: us-east, role: Primary, reachable: false, desiredReplicas: 0, readyReplicas: 0, endpoints: []}
          - {name: us-west, role: Failover, reachable: true, desiredReplicas: 3, readyReplicas: 3, endpoints: ["10.1.0.7:8080"]}
          lastTransition: {from: us-east, to: us-west, reason: DatacenterUnreachable, startedAt: "2026-11-21T05:31:06Z", completedAt: "2026-11-21T05:31:10Z", durationSeconds: 4.2}
          history:
          - {from: us-east, to: us-west, reason: DatacenterUnreachable, startedAt: "2026-11-21T05:31:06Z", completedAt: "2026-11-21T05:31:10Z", durationSeconds: 4.2}
        """
}
