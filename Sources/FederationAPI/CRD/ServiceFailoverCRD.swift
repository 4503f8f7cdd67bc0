import Foundation
import KubernetesAPI

extension FederationCRDs {
    /// `servicefailovers.federation.concord.dev`.
    public static var serviceFailover: FederationCRD {
        FederationCRD(
            kind: ServiceFailover.kind, plural: "servicefailovers", singular: "servicefailover", shortNames: ["sf"], namespaced: true,
            printerColumns: [
                PrinterColumn(name: "Service", type: "string", jsonPath: ".spec.service", description: "The protected Service."),
                PrinterColumn(name: "Primary", type: "string", jsonPath: ".spec.primary", description: "Where the Service runs normally."),
                PrinterColumn(
                    name: "Active", type: "string", jsonPath: ".status.placement",
                    description: "Where the Service runs now: the active datacenter, or each placed datacenter's replicas (ActiveActive)."
                ),
                PrinterColumn(
                    name: "Phase", type: "string", jsonPath: ".status.phase",
                    description: "Active, FailingOver, FailedOver, Migrating, Degraded, Blocked or Progressing."
                ),
                .condition(CommonConditionType.ready),
                .age,
                PrinterColumn(name: "Mode", type: "string", jsonPath: ".spec.mode", description: "ActivePassive or ActiveActive.", priority: 1),
                PrinterColumn(
                    name: "Replicas", type: "integer", jsonPath: ".spec.replicas", description: "ActiveActive: the total divided over the datacenters.", priority: 1),
                PrinterColumn(
                    name: "Unplaced", type: "integer", jsonPath: ".status.unplacedReplicas",
                    description: "ActiveActive: replicas no candidate datacenter has room for (the shortfall).", priority: 1),
            ],
            schema: .resource(
                "ServiceFailover keeps a Service available across datacenters: warm standby copies of its workload and Service at 0 replicas in the failover datacenters, make-before-break failover to the first one that fits, failback, planned migration when spec.primary changes, and a <service>-global Service with EndpointSlices in every member pointing at the active datacenter.",
                spec: serviceFailoverSpec, status: serviceFailoverStatus
            )
        )
    }

    static var serviceFailoverSpec: JSONSchemaProps {
        .object(
            "The desired state of the ServiceFailover.",
            properties: [
                "service": .string(
                    "The Service in this namespace, deployed natively in the primary datacenter.",
                    pattern: JSONSchemaProps.serviceNamePattern, minLength: 1, maxLength: 63
                ),
                "workload": .object(
                    "The workload behind the Service. When omitted, the apps/v1 Deployment named like the Service.",
                    properties: [
                        "apiVersion": .string("The workload's apiVersion.", default: WorkloadReference.defaultAPIVersion),
                        "kind": .string("The workload's kind.", default: WorkloadReference.defaultKind),
                        "name": .string(
                            "The workload's name; the Service's name when omitted.", pattern: JSONSchemaProps.objectNamePattern, maxLength: 253
                        ),
                    ],
                    default: [:]
                ),
                "primary": .datacenterName("Where the Service runs normally (ActivePassive; changing it is a planned migration), or where the workload is defined natively, the template of every copy (ActiveActive)."),
                "mode": .enumeration(
                    "ActivePassive: one datacenter at a time with warm standbys. ActiveActive: spec.replicas divided over the placed datacenters.",
                    ServiceFailoverMode.self, default: ServiceFailoverMode.activePassive
                ),
                "replicas": .integer("ActiveActive: the replicas across the federation.", minimum: 0),
                "placement": .object(
                    "ActiveActive: the candidate datacenters and how replicas are divided over them.",
                    properties: [
                        "datacenterSelector": .labelSelector("The candidate Datacenters by label; every member when omitted."),
                        "weights": .keyedList(
                            "Static weights; a datacenter not listed weighs 1.", key: "datacenter",
                            items: .object(
                                "The weight of one datacenter.",
                                properties: [
                                    "datacenter": .datacenterName("The Datacenter's name."),
                                    "weight": .integer("Its weight; replicas are divided in proportion. 0 places nothing there.", minimum: 0),
                                ],
                                required: ["datacenter", "weight"]
                            )
                        ),
                        "minDatacenters": .integer("Never fewer datacenters running the service while enough fit.", minimum: 1, default: PlacementSpec.defaultMinDatacenters),
                        "maxReplicasPerDatacenter": .integer("The most replicas one datacenter gets; unbounded when omitted.", minimum: 1),
                    ]
                ),
                "failover": .keyedList(
                    "Ordered failover datacenters, tried first to last. Required by ActivePassive (the controller checks); not used by ActiveActive.", key: "datacenter",
                    items: .object(
                        "One failover datacenter.",
                        properties: [
                            "datacenter": .datacenterName("The Datacenter's name."),
                            "replicas": .integer(
                                "Replicas to run there when it is active. When omitted, the replicas the workload has in the primary.", minimum: 0
                            ),
                        ],
                        required: ["datacenter"]
                    )
                ),
                "policy": .object(
                    "When and how to fail over and back.",
                    properties: [
                        "mode": .enumeration(
                            "Automatic: fail over when the conditions hold. Manual: only report; a person changes spec.primary.",
                            PromotionMode.self, default: FailoverPolicy.defaultMode
                        ),
                        "unhealthyForSeconds": .integer(
                            "Seconds the active datacenter must be unhealthy (Unreachable, or ready replicas below minReadyReplicas) before failing over.",
                            minimum: 0, default: FailoverPolicy.defaultUnhealthyForSeconds
                        ),
                        "minReadyReplicas": .integer(
                            "Ready replicas below this count make the active datacenter unhealthy.", minimum: 0,
                            default: FailoverPolicy.defaultMinReadyReplicas
                        ),
                        "failback": .enumeration(
                            "Manual: stay until a person moves the Service back. Automatic: return to spec.primary after stabilizationSeconds of health.",
                            FailbackMode.self, default: FailoverPolicy.defaultFailback
                        ),
                        "stabilizationSeconds": .integer(
                            "Seconds spec.primary must stay healthy before an automatic failback.", minimum: 0,
                            default: FailoverPolicy.defaultStabilizationSeconds
                        ),
                        "minLocalReadyReplicas": .integer(
                            "ActiveActive: clients in a datacenter prefer its own endpoints while at least this many are ready there, and use the other datacenters' below that.",
                            minimum: 0, default: FailoverPolicy.defaultMinLocalReadyReplicas
                        ),
                    ],
                    default: [:]
                ),
                "migration": .object(
                    "Planned-migration settings.",
                    properties: [
                        "readinessTimeoutSeconds": .integer(
                            "Seconds to wait for the target's ready replicas before giving up and staying put; also the grace a workload's first rollout gets before its unready replicas count toward unhealthyForSeconds.", minimum: 1,
                            default: MigrationSpec.defaultReadinessTimeoutSeconds
                        )
                    ],
                    default: [:]
                ),
            ],
            required: ["service", "primary"]
        )
    }

    static var failoverTransition: JSONSchemaProps {
        .object(
            "One move of the Service between datacenters, or (ActiveActive) one redistribution of its replicas.",
            properties: [
                "from": .string("The datacenter it left; ActiveActive: the placement before, such as eu-central=3,us-east=6,us-west=3 (none: no replicas)."),
                "to": .string("The datacenter it moved to; ActiveActive: the placement after."),
                "reason": .string(
                    "Why. ActivePassive: DatacenterUnreachable, ReplicasUnavailable, PlannedMigration or Failback. ActiveActive: InitialPlacement, DatacenterUnreachable, PlacementChanged, SelectionChanged, DatacenterCordoned, Rebalance or CapacityChanged."),
                "startedAt": .time("When the move began."),
                "completedAt": .time(
                    "When traffic was switched (ActiveActive: when every datacenter ran its share, or when the next redistribution overtook this one before it settled); absent while in progress."),
                "durationSeconds": .number("Seconds from start to switch (ActiveActive: to completedAt).", minimum: 0),
            ],
            required: ["to", "reason", "startedAt"]
        )
    }

    static var serviceFailoverStatus: JSONSchemaProps {
        .object(
            "The observed state of the ServiceFailover.",
            properties: [
                "observedGeneration": .observedGeneration,
                "activeDatacenter": .string("ActivePassive: the datacenter that serves traffic now."),
                "placement": .string(
                    "Where the Service runs now, in one line: the active datacenter (ActivePassive), or each datacenter the division gives replicas and its share, in name order, such as eu-central=3,us-east=6,us-west=3 (ActiveActive; absent while it places none)."
                ),
                "phase": .enumeration("Active, FailingOver, FailedOver, Migrating, Degraded, Blocked, or Progressing (ActiveActive).", ServiceFailoverPhase.self),
                "primaryReplicas": .integer("The replicas the workload runs with in spec.primary, remembered while Concord keeps it at 0 there.", minimum: 0),
                "unplacedReplicas": .integer("ActiveActive: replicas no candidate datacenter has room for (reported, never overcommitted).", minimum: 0),
                "datacenters": .keyedList(
                    "The cross-datacenter discovery view: one entry per involved datacenter.", key: "name",
                    items: .object(
                        "One datacenter's share of the Service.",
                        properties: [
                            "name": .string("The Datacenter's name."),
                            "role": .enumeration("Primary or Failover (ActivePassive); Active (ActiveActive) for a datacenter the division divides over, its share 0 included, absent for one left out (lost, cordoned, not Ready, or back and waiting for failback).", ServiceDatacenterRole.self),
                            "reachable": .boolean("Whether the controller reaches the datacenter."),
                            "desiredReplicas": .integer("Replicas Concord wants there now (0 for a warm standby).", minimum: 0),
                            "readyReplicas": .integer("Ready replicas last observed there.", minimum: 0),
                            "endpoints": .array(
                                "address:port of the ready endpoints there.", items: .string("One address:port."), listType: "atomic"
                            ),
                        ],
                        required: ["name"]
                    )
                ),
                "lastTransition": failoverTransition,
                "history": .array(
                    "Recent failovers, failbacks and migrations, newest first (at most \(ServiceFailover.historyLimit)).",
                    items: failoverTransition, maxItems: ServiceFailover.historyLimit, listType: "atomic"
                ),
                "conditions": .conditions("Ready (summary), Available, FailedOver and Progressing, plus Reconciling and Stalled."),
            ]
        )
    }
}

extension JSONSchemaProps {
    /// The same node with `minItems` set.
    func with(minItems: Int) -> JSONSchemaProps {
        var copy = self
        copy.minItems = minItems
        return copy
    }
}
