import Foundation
import KubernetesAPI

extension FederationCRDs {
    /// `datacenters.federation.concord.dev`.
    public static var datacenter: FederationCRD {
        FederationCRD(
            kind: Datacenter.kind, plural: "datacenters", singular: "datacenter", shortNames: ["dc"], namespaced: false,
            printerColumns: [
                PrinterColumn(name: "Region", type: "string", jsonPath: ".spec.region", description: "The datacenter's region."),
                PrinterColumn(name: "Role", type: "string", jsonPath: ".status.role", description: "Primary or Secondary."),
                PrinterColumn(name: "Phase", type: "string", jsonPath: ".status.phase", description: "Pending, Ready, Suspect or Unreachable."),
                PrinterColumn(
                    name: "Latency(ms)", type: "integer", jsonPath: ".status.latencyMilliseconds",
                    description: "Smoothed probe round trip in milliseconds."
                ),
                PrinterColumn(name: "Mode", type: "string", jsonPath: ".spec.mode", description: "Push or Pull.", priority: 1),
                PrinterColumn(
                    name: "Cordoned", type: "boolean", jsonPath: ".spec.unschedulable",
                    description: "True while cordoned: nothing new is placed or failed over here.", priority: 1),
                PrinterColumn(name: "Version", type: "string", jsonPath: ".status.serverVersion", description: "The member's Kubernetes version.", priority: 1),
                PrinterColumn(name: "Priority", type: "integer", jsonPath: ".spec.priority", description: "Promotion preference.", priority: 1),
                .age,
            ],
            schema: .resource(
                "Datacenter is a member of the federation: one Kubernetes API endpoint, a real cluster or Concord's embedded control plane. The controller probes it and records its health in status.",
                spec: datacenterSpec, status: datacenterStatus
            )
        )
    }

    static var datacenterSpec: JSONSchemaProps {
        .object(
            "The desired state of the Datacenter. The controller never writes it.",
            properties: [
                "region": .string("The region, such as us-east-1. Residency rules of ReplicationRules match it.", minLength: 1, maxLength: 63),
                "zone": .string("The zone, such as us-east-1a.", maxLength: 63),
                "provider": .string("Free text naming the provider: aws, gcp, onprem, edge…", maxLength: 63),
                "mode": .enumeration(
                    "How the hub and the member talk. Push: the hub connects out with the kubeconfig in credentialsRef. Pull: `concord agent` in the member registers and renews the Lease concord-system/dc-<name> in the hub.",
                    DatacenterMode.self, default: DatacenterSpec.defaultMode
                ),
                "credentialsRef": .object(
                    "Push only: the Secret key holding a kubeconfig for the member's API server.",
                    properties: [
                        "namespace": .string(
                            "The Secret's namespace.", pattern: JSONSchemaProps.objectNamePattern, maxLength: 63,
                            default: SecretKeyReference.defaultNamespace
                        ),
                        "name": .string("The Secret's name.", pattern: JSONSchemaProps.objectNamePattern, minLength: 1, maxLength: 253),
                        "key": .string("The key in the Secret's data.", minLength: 1, default: SecretKeyReference.defaultKey),
                    ],
                    required: ["name"]
                ),
                "priority": .integer(
                    "Promotion preference: when the primary must be replaced, higher priorities are chosen first (then lower latency).",
                    range: DatacenterSpec.priorityRange, default: DatacenterSpec.defaultPriority
                ),
                "capacity": .object(
                    "How much federated work the datacenter may host: ServiceFailovers never place more replicas there (failover targets and ActiveActive shares, summed over every ServiceFailover).",
                    properties: [
                        "replicas": .integer("The most federated replicas (summed over ServiceFailovers) it may run.", minimum: 0)
                    ],
                    required: ["replicas"]
                ),
                "unschedulable": .boolean(
                    "Cordon: when true the FederationPolicy never promotes this datacenter to primary, `concord datacenter promote` refuses it, and no ServiceFailover fails over, migrates or places replicas there. A cordoned primary stays primary.", default: false
                ),
                "healthCheck": .object(
                    "Probe timing and hysteresis. Ready becomes Suspect at the first failed probe and Unreachable after failureThreshold consecutive failures; Suspect or Unreachable becomes Ready after successThreshold consecutive successes.",
                    properties: [
                        "periodSeconds": .integer(
                            "Seconds between probes.", range: HealthCheckSpec.periodSecondsRange, default: HealthCheckSpec.defaultPeriodSeconds
                        ),
                        "timeoutSeconds": .integer(
                            "Seconds a probe may take before it counts as failed. Should not exceed periodSeconds.",
                            range: HealthCheckSpec.timeoutSecondsRange, default: HealthCheckSpec.defaultTimeoutSeconds
                        ),
                        "failureThreshold": .integer(
                            "Consecutive failed probes that make the datacenter Unreachable. A Ready datacenter always passes through Suspect first, so a single lost probe never makes it Unreachable.",
                            range: HealthCheckSpec.thresholdRange, default: HealthCheckSpec.defaultFailureThreshold
                        ),
                        "successThreshold": .integer(
                            "Consecutive successful probes that make a Pending, Suspect or Unreachable datacenter Ready.",
                            range: HealthCheckSpec.thresholdRange, default: HealthCheckSpec.defaultSuccessThreshold
                        ),
                    ],
                    default: [:]
                ),
            ],
            required: ["region"]
        )
    }

    static var datacenterStatus: JSONSchemaProps {
        .object(
            "The observed state of the Datacenter. Written on change, not on every probe, and refreshed at least every 10 seconds.",
            properties: [
                "observedGeneration": .observedGeneration,
                "phase": .enumeration(
                    "Pending (not yet healthy since creation), Ready, Suspect (recent probes failed, fewer than failureThreshold in a row) or Unreachable.",
                    DatacenterPhase.self
                ),
                "role": .enumeration("Primary or Secondary, as decided by the FederationPolicy.", DatacenterRole.self),
                "serverVersion": .string("The member API server's version, such as v1.32.0."),
                "latencyMilliseconds": .integer("Smoothed probe round trip in milliseconds.", minimum: 0),
                "consecutiveFailures": .integer("Probes failed in a row; 0 after a success.", minimum: 0),
                "consecutiveSuccesses": .integer("Probes succeeded in a row, counted up to successThreshold; 0 after a failure.", minimum: 0),
                "lastProbeTime": .time("When the latest probe ran (refreshed in status at least every 10 seconds)."),
                "unhealthySince": .time(
                    "When the current run of failed probes began; cleared when the datacenter is Ready again. Kept in status so a new controller leader continues the same clock."
                ),
                "conditions": .conditions(
                    "Registered (the member answered at least once), Reachable (the latest probe succeeded) and the summary Ready (True while Ready or Suspect)."
                ),
            ]
        )
    }
}
