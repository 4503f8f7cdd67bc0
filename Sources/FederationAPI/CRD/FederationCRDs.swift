import Foundation
import KubernetesAPI

/// The CustomResourceDefinition of one federation kind.
public typealias FederationCRD = CustomResourceDefinition

extension CustomResourceDefinition {
    /// Creates the CRD of a federation kind: group `federation.concord.dev`, one served and stored
    /// version `v1alpha1`, category `concord`, labelled as part of Concord.
    public init(
        kind: String, plural: String, singular: String, shortNames: [String], namespaced: Bool,
        printerColumns: [PrinterColumn], schema: JSONSchemaProps
    ) {
        self.init(
            group: FederationGroup.group, version: FederationGroup.version, kind: kind, plural: plural, singular: singular,
            shortNames: shortNames, categories: [FederationGroup.category], labels: ["app.kubernetes.io/part-of": "concord"],
            namespaced: namespaced, printerColumns: printerColumns, schema: schema
        )
    }
}

/// The CustomResourceDefinitions of Concord's four kinds.
public enum FederationCRDs {
    /// Datacenter, FederationPolicy, ReplicationRule and ServiceFailover, in that order.
    public static var definitions: [FederationCRD] { [datacenter, federationPolicy, replicationRule, serviceFailover] }

    /// Every CRD as an `apiextensions.k8s.io/v1` object, ready to apply.
    public static var all: [JSONValue] { definitions.map(\.json) }

    /// The CRD of the kind with that name, such as `Datacenter`.
    public static func definition(forKind kind: String) -> FederationCRD? { definitions.first { $0.kind == kind } }
}
