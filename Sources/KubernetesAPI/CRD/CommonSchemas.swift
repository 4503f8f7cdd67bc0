import Foundation

/// Schema fragments of the Kubernetes types custom resources embed.
extension JSONSchemaProps {
    /// An RFC 1123 subdomain: the form of object names, such as a Datacenter's.
    public static let objectNamePattern = #"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"#
    /// An RFC 1035 label: the form of Service names.
    public static let serviceNamePattern = #"^[a-z]([-a-z0-9]*[a-z0-9])?$"#
    /// `metav1.Condition.type`.
    public static let conditionTypePattern = #"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"#
    /// `metav1.Condition.reason`.
    public static let conditionReasonPattern = #"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"#

    /// The top-level `apiVersion`.
    static let apiVersionField = JSONSchemaProps.string(
        "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"
    )

    /// The top-level `kind`.
    static let kindField = JSONSchemaProps.string(
        "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"
    )

    /// The top-level `metadata`: validated by the API server itself, so just an object.
    static let metadataField = JSONSchemaProps(type: "object")

    /// `metav1.LabelSelector`.
    public static func labelSelector(_ description: String) -> JSONSchemaProps {
        .object(
            description,
            properties: [
                "matchLabels": .map(
                    "Labels that must be present with exactly these values. Each entry is equivalent to a matchExpressions requirement with operator In and a single value.",
                    values: .string("The required value of the label.")
                ),
                "matchExpressions": .array(
                    "Set-based requirements; all must hold.",
                    items: .object(
                        "A requirement on one label.",
                        properties: [
                            "key": .string("The label key the requirement applies to."),
                            "operator": .enumeration(
                                "How the key relates to the values: In, NotIn, Exists or DoesNotExist.", LabelSelectorRequirement.Operator.self
                            ),
                            "values": .array(
                                "The values for In and NotIn (must be non-empty); empty for Exists and DoesNotExist.",
                                items: .string("One label value."), listType: "atomic"
                            ),
                        ],
                        required: ["key", "operator"]
                    ),
                    listType: "atomic"
                ),
            ]
        )
    }

    /// `metav1.Condition`, with the validation Kubernetes applies to it.
    public static let condition = JSONSchemaProps.object(
        "Condition contains details for one aspect of the current state of this API Resource.",
        properties: [
            "type": .string("Type of condition in CamelCase.", pattern: conditionTypePattern, maxLength: 316),
            "status": .enumeration("Status of the condition, one of True, False, Unknown.", ConditionStatus.self),
            "observedGeneration": .integer(
                "The .metadata.generation that the condition was set based upon. If it is older than .metadata.generation, the condition is out of date with respect to the current state of the instance.",
                format: "int64", minimum: 0
            ),
            "lastTransitionTime": .time(
                "The last time the condition transitioned from one status to another. This should be when the underlying condition changed."
            ),
            "reason": .string(
                "A programmatic identifier indicating the reason for the condition's last transition, in CamelCase.",
                pattern: conditionReasonPattern, minLength: 1, maxLength: 1024
            ),
            "message": .string("A human readable message indicating details about the transition. May be empty.", maxLength: 32768),
        ],
        required: ["type", "status", "lastTransitionTime", "reason", "message"]
    )

    /// `status.conditions`: a list of Conditions keyed by type.
    public static func conditions(_ description: String) -> JSONSchemaProps {
        .keyedList(description, key: "type", items: condition)
    }

    /// `status.observedGeneration`.
    public static let observedGeneration = JSONSchemaProps.integer(
        "The metadata.generation this status was computed from; when it lags metadata.generation the controller has not acted on the latest spec yet.",
        format: "int64", minimum: 0
    )

    /// The whole-object schema of a kind with a spec and a status: apiVersion, kind, metadata, spec, status.
    public static func resource(_ description: String, spec: JSONSchemaProps, status: JSONSchemaProps) -> JSONSchemaProps {
        .object(
            description,
            properties: [
                "apiVersion": apiVersionField, "kind": kindField, "metadata": metadataField, "spec": spec, "status": status,
            ],
            required: ["spec"]
        )
    }
}
