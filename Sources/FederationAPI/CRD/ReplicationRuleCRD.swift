import Foundation
import KubernetesAPI

extension FederationCRDs {
    /// `replicationrules.federation.concord.dev`.
    public static var replicationRule: FederationCRD {
        FederationCRD(
            kind: ReplicationRule.kind, plural: "replicationrules", singular: "replicationrule", shortNames: ["rr"], namespaced: true,
            printerColumns: [
                PrinterColumn(name: "Source", type: "string", jsonPath: ".status.sourceDatacenter", description: "The datacenter objects are read from."),
                PrinterColumn(name: "Objects", type: "integer", jsonPath: ".status.objects", description: "Objects selected at the source."),
                .condition(ReplicationRule.ConditionType.synced),
                .condition(
                    ReplicationRule.ConditionType.conflictsDetected, name: "Conflicts",
                    description: "ConflictsDetected: True while a listed conflict is open (waiting for a person, kept by TargetWins, or found by the latest pass); False once status.conflicts holds only resolved ones.",
                    priority: 1),
                PrinterColumn(name: "Mode", type: "string", jsonPath: ".spec.mode", description: "Continuous or Periodic.", priority: 1),
                .condition(CommonConditionType.ready),
                .age,
            ],
            schema: .resource(
                "ReplicationRule copies selected objects of its namespace from a source datacenter (the primary in force, or a named Datacenter) into the same namespace of other members, stamping each replica with federation.concord.dev/ annotations, detecting replicas changed in their own datacenter, and honouring residency. A rule in concord-system may also replicate cluster-scoped kinds. When the FederationPolicy's topology is Mesh, every member is a source and a target: the latest write by hybrid logical clock is copied everywhere (SourceWins is refused).",
                spec: replicationRuleSpec, status: replicationRuleStatus
            )
        )
    }

    static var replicationRuleSpec: JSONSchemaProps {
        .object(
            "The desired state of the ReplicationRule.",
            properties: [
                "source": .string(
                    "Primary (follows promotions) or the name of a Datacenter.", pattern: JSONSchemaProps.objectNamePattern + "|^Primary$",
                    maxLength: 253, default: ReplicationRuleSpec.primarySource
                ),
                "targets": .object(
                    "The datacenters to copy into. When omitted, every member but the source.",
                    properties: [
                        "datacenterSelector": .labelSelector("Selects the target Datacenters by label; empty selects every member but the source.")
                    ]
                ),
                "resources": .array(
                    "What to copy; an object is replicated when it matches any entry.",
                    items: .object(
                        "One kind of object, narrowed by labels and/or a name prefix.",
                        properties: [
                            "apiVersion": .string("The objects' apiVersion, such as v1.", minLength: 1),
                            "kind": .string("The objects' kind, such as ConfigMap.", minLength: 1),
                            "selector": .labelSelector("Only objects whose labels match; omitted matches all."),
                            "namePrefix": .string("Only objects whose name starts with this prefix."),
                        ],
                        required: ["apiVersion", "kind"]
                    ),
                    minItems: 1, listType: "atomic"
                ),
                "mode": .enumeration(
                    "Continuous: watch-driven, a source change is copied at once. Periodic: every intervalSeconds.",
                    ReplicationMode.self, default: ReplicationRuleSpec.defaultMode
                ),
                "intervalSeconds": .integer(
                    "Periodic only: seconds between rounds.", minimum: 1, default: ReplicationRuleSpec.defaultIntervalSeconds
                ),
                "fullResyncSeconds": .integer(
                    "Seconds between full comparisons of source and targets, a safety net for missed events.",
                    minimum: ReplicationRuleSpec.minimumFullResyncSeconds, default: ReplicationRuleSpec.defaultFullResyncSeconds
                ),
                "conflictResolution": .enumeration(
                    "Who wins when a replica was changed in its own datacenter: SourceWins, TargetWins, LastWriterWins (by hybrid logical clock, never by wall clocks) or Manual (stop touching the object and list it in status).",
                    ConflictResolution.self, default: ReplicationRuleSpec.defaultConflictResolution
                ),
                "deletion": .enumeration(
                    "Propagate: deleting a source object deletes its replicas. Orphan: replicas stay.",
                    DeletionPolicy.self, default: ReplicationRuleSpec.defaultDeletion
                ),
                "residency": .object(
                    "Regions objects may land in; other targets are never written. Objects may narrow it further with the label federation.concord.dev/residency.",
                    properties: [
                        "allowedRegions": .array(
                            "Region patterns; * matches any run of characters (eu-* matches eu-central-1).",
                            items: .string("A region pattern.", minLength: 1), minItems: 1, listType: "atomic"
                        )
                    ],
                    required: ["allowedRegions"]
                ),
            ],
            required: ["resources"]
        )
    }

    static var replicationRuleStatus: JSONSchemaProps {
        .object(
            "The observed state of the ReplicationRule.",
            properties: [
                "observedGeneration": .observedGeneration,
                "sourceDatacenter": .string("The datacenter objects are read from now (resolves Primary)."),
                "sourceEpoch": .integer("The fencing epoch in force at the source when it was read.", format: "int64", minimum: 0),
                "sourceRevision": .string("The source's resourceVersion the latest round read at."),
                "objects": .integer("Objects selected at the source.", minimum: 0),
                "targets": .keyedList(
                    "Progress per target datacenter.", key: "datacenter",
                    items: .object(
                        "Replication progress for one target.",
                        properties: [
                            "datacenter": .string("The target Datacenter's name."),
                            "state": .enumeration("Pending, Syncing, Synced, Unreachable, Blocked or Failed.", TargetSyncState.self),
                            "syncedRevision": .string("The source revision the target holds."),
                            "lagSeconds": .number("Seconds between a source write and its arrival at this target (latest round).", minimum: 0),
                            "objectsInSync": .integer("Objects whose replica matches the source.", minimum: 0),
                            "conflicts": .integer("Unresolved conflicts in this target.", minimum: 0),
                            "lastSyncTime": .time("When the target last finished a round."),
                            "message": .string("Detail for Failed or Blocked."),
                        ],
                        required: ["datacenter"]
                    )
                ),
                "conflicts": .array(
                    "Conflicts waiting for a person (Manual) and the latest ones resolved by the strategy, newest first (at most \(ReplicationRule.conflictLimit)).",
                    items: .object(
                        "A replica changed in its own datacenter (or, in Mesh, in two members).",
                        properties: [
                            "datacenter": .string("The datacenter holding the diverging copy."),
                            "apiVersion": .string("The object's apiVersion."),
                            "kind": .string("The object's kind."),
                            "name": .string("The object's name, in the rule's namespace."),
                            "detectedAt": .time("When Concord noticed the conflict."),
                            "resolution": .enumeration("How it was (or, for Manual, will be) resolved.", ConflictResolution.self),
                            "message": .string("Detail, such as the two content hashes."),
                        ],
                        required: ["datacenter", "kind", "name", "detectedAt", "resolution"]
                    ),
                    maxItems: ReplicationRule.conflictLimit, listType: "atomic"
                ),
                "conflictsTotal": .integer("Every conflict detected since the rule was created, including those no longer listed.", format: "int64", minimum: 0),
                "conditions": .conditions("Ready (summary), Synced, ConflictsDetected (True while a listed conflict is open: waiting for a person, kept by TargetWins, or found by the latest pass) and ResidencyBlocked, plus Reconciling and Stalled."),
            ]
        )
    }
}
