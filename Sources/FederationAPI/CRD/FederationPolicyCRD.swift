import Foundation
import KubernetesAPI

extension FederationCRDs {
    /// `federationpolicies.federation.concord.dev`.
    public static var federationPolicy: FederationCRD {
        FederationCRD(
            kind: FederationPolicy.kind, plural: "federationpolicies", singular: "federationpolicy", shortNames: ["fp"], namespaced: false,
            printerColumns: [
                PrinterColumn(name: "Primary", type: "string", jsonPath: ".status.primary", description: "The primary in force."),
                PrinterColumn(name: "Epoch", type: "integer", jsonPath: ".status.epoch", description: "The fencing epoch."),
                PrinterColumn(name: "Ready-Members", type: "integer", jsonPath: ".status.readyMembers", description: "Members whose phase is Ready."),
                PrinterColumn(name: "Topology", type: "string", jsonPath: ".spec.topology", description: "HubAndSpoke or Mesh.", priority: 1),
                PrinterColumn(name: "Desired", type: "string", jsonPath: ".spec.primary", description: "The desired primary.", priority: 1),
                .condition(CommonConditionType.ready),
                .age,
            ],
            schema: .resource(
                "FederationPolicy organises the federation: which Datacenters are members, which one is primary, and when the controller may promote another. Every promotion raises the epoch, a fencing token written to every reachable member.",
                spec: federationPolicySpec, status: federationPolicyStatus
            )
        )
    }

    static var federationPolicySpec: JSONSchemaProps {
        .object(
            "The desired state of the FederationPolicy.",
            properties: [
                "datacenterSelector": .labelSelector("Selects the member Datacenters by label; empty or omitted selects all."),
                "topology": .enumeration(
                    "HubAndSpoke (the primary is the source of every ReplicationRule) or Mesh (every member is a source and a target of every ReplicationRule, the latest write by hybrid logical clock wins, SourceWins is refused). Promotion and fencing work the same for both.",
                    FederationTopology.self, default: FederationPolicySpec.defaultTopology
                ),
                "primary": .datacenterName("The desired primary Datacenter. Changing it is a planned promotion."),
                "promotion": .object(
                    "When and how the controller promotes another member if the primary fails.",
                    properties: [
                        "mode": .enumeration(
                            "Automatic: the controller promotes when its conditions hold. Manual: it only reports; a person changes spec.primary.",
                            PromotionMode.self, default: PromotionSpec.defaultMode
                        ),
                        "unreachableForSeconds": .integer(
                            "Seconds the primary must be Unreachable before an automatic promotion.", minimum: 0,
                            default: PromotionSpec.defaultUnreachableForSeconds
                        ),
                        "candidates": .array(
                            "Preferred successors in order. When omitted, members are ranked by priority, then latency.",
                            items: .datacenterName("A Datacenter name."), listType: "atomic"
                        ),
                        "requireQuorum": .boolean(
                            "Promote only while the controller reaches a majority of members.", default: PromotionSpec.defaultRequireQuorum
                        ),
                    ],
                    default: [:]
                ),
                "failback": .enumeration(
                    "Manual: stay on the promoted primary until a person moves it. Automatic: return to spec.primary after stabilizationSeconds of health.",
                    FailbackMode.self, default: FederationPolicySpec.defaultFailback
                ),
                "stabilizationSeconds": .integer(
                    "Seconds spec.primary must stay Ready before an automatic failback.", minimum: 0,
                    default: FederationPolicySpec.defaultStabilizationSeconds
                ),
            ],
            required: ["primary"]
        )
    }

    static var promotionRecord: JSONSchemaProps {
        .object(
            "One change of primary.",
            properties: [
                "from": .string("The previous primary; absent for the first assignment."),
                "to": .string("The new primary."),
                "epoch": .integer("The epoch the promotion created.", format: "int64", minimum: 0),
                "reason": .string("Why: InitialPrimary, PlannedPromotion, PrimaryUnreachable, Failback or SplitBrainResolved."),
                "time": .time("When the promotion took effect."),
            ],
            required: ["to", "epoch", "reason", "time"]
        )
    }

    static var federationPolicyStatus: JSONSchemaProps {
        .object(
            "The observed state of the FederationPolicy.",
            properties: [
                "observedGeneration": .observedGeneration,
                "primary": .string("The primary in force; differs from spec.primary after an automatic promotion."),
                "epoch": .integer(
                    "The fencing token: raised by one at every promotion and written to every reachable member's marker (ConfigMap concord-system/concord-federation).",
                    format: "int64", minimum: 0
                ),
                "members": .keyedList(
                    "Every selected member with its role and phase.", key: "name",
                    items: .object(
                        "One member.",
                        properties: [
                            "name": .string("The Datacenter's name."),
                            "role": .enumeration("Primary or Secondary.", DatacenterRole.self),
                            "phase": .enumeration("The Datacenter's phase.", DatacenterPhase.self),
                            "epoch": .integer(
                                "The epoch last confirmed in the member's marker; older than the policy's epoch means the member is fenced off.",
                                format: "int64", minimum: 0
                            ),
                        ],
                        required: ["name"]
                    )
                ),
                "readyMembers": .integer("Members whose phase is Ready.", minimum: 0),
                "lastPromotion": promotionRecord,
                "history": .array(
                    "Recent promotions, newest first (at most \(FederationPolicy.historyLimit)).", items: promotionRecord,
                    maxItems: FederationPolicy.historyLimit, listType: "atomic"
                ),
                "conditions": .conditions(
                    "Ready (summary), PrimaryAvailable, Promoting and SplitBrainDetected, plus Reconciling and Stalled."
                ),
            ]
        )
    }
}
