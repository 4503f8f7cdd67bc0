import KubernetesAPI

/// A group plus plural resource: what error messages and storage keys name.
struct ResourceName: Hashable, Sendable {
    var group: String
    var plural: String

    /// `configmaps` or `widgets.example.com`: kube-apiserver's qualified resource, also the storage resource.
    var qualified: String { group.isEmpty ? plural : "\(plural).\(group)" }
}

/// A CRD printer column (`additionalPrinterColumns`), or a built-in layout's column.
struct PrinterColumn: Sendable, Hashable {
    var name: String
    var type: String
    var format: String = ""
    var description: String = ""
    var priority: Int = 0
    /// A simple JSONPath such as `.spec.size` or `.status.conditions[?(@.type=="Ready")].status`.
    var jsonPath: String
}

/// Everything the server knows about one served resource in one version.
struct ResourceDefinition: Sendable {
    var group: String
    var version: String
    var kind: String
    var plural: String
    var singular: String
    var listKind: String
    var namespaced: Bool
    var shortNames: [String] = []
    var categories: [String] = []
    /// True when `/status` is served and the main endpoint ignores status.
    var hasStatusSubresource: Bool = false
    /// True for CustomResourceDefinition-backed kinds.
    var isCustom: Bool = false
    /// The OpenAPI v3 schema of the whole object (CRD `openAPIV3Schema` or a built-in's), if any.
    var schema: JSONValue?
    /// Columns for Table output, in addition to Name; nil uses the default layout (Name, Age).
    var printerColumns: [PrinterColumn]? = nil
    /// Where another resource's objects are stored instead (events.k8s.io Events live with core Events).
    var storedAs: String? = nil
    /// True when `/scale` (an autoscaling/v1 Scale over `spec.replicas`) is served.
    var hasScaleSubresource: Bool = false
    /// A custom resource's `subresources.scale`: where its Scale's fields are (nil: a built-in's `spec.replicas`).
    var scalePaths: ScalePaths? = nil
    /// The storage version's name for custom resources (objects are served in every version unchanged).
    var storageResource: String { storedAs ?? name.qualified }

    var name: ResourceName { ResourceName(group: group, plural: plural) }
    var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    var gvk: GroupVersionKind { GroupVersionKind(group: group, version: version, kind: kind) }
    var gvr: GroupVersionResource { GroupVersionResource(group: group, version: version, resource: plural) }

    /// Verbs every served resource supports.
    static let standardVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    /// The verbs discovery lists: the standard ones, but Namespaces, as in kube-apiserver, have no
    /// `deletecollection` (a DELETE of the collection is 405).
    var verbs: [String] { allowsDeleteCollection ? Self.standardVerbs : Self.standardVerbs.filter { $0 != "deletecollection" } }

    /// False for Namespaces.
    var allowsDeleteCollection: Bool { !(group.isEmpty && plural == "namespaces") }

    /// Whether a PUT to a missing name creates the object, as kube-apiserver allows for Endpoints,
    /// Events, Leases and the RBAC kinds.
    var allowsCreateOnUpdate: Bool {
        switch (group, plural) {
        case ("", "endpoints"), ("", "events"), ("events.k8s.io", "events"), ("coordination.k8s.io", "leases"),
            ("rbac.authorization.k8s.io", "roles"), ("rbac.authorization.k8s.io", "rolebindings"),
            ("rbac.authorization.k8s.io", "clusterroles"), ("rbac.authorization.k8s.io", "clusterrolebindings"):
            true
        default:
            false
        }
    }

    /// Whether objects carry `metadata.generation`, as kube-apiserver sets it only for kinds with a
    /// spec it tracks: custom resources, CustomResourceDefinitions, Deployments, EndpointSlices and
    /// NetworkPolicies; ConfigMaps, Secrets, Services, RBAC kinds and the like have none.
    var tracksGeneration: Bool {
        isCustom || (group == "apps" && plural == "deployments") || (group == "discovery.k8s.io" && plural == "endpointslices")
            || (group == "networking.k8s.io" && plural == "networkpolicies")
            || (group == "apiextensions.k8s.io" && plural == "customresourcedefinitions")
    }

    /// True when strategic merge patch is accepted (built-in kinds only).
    var acceptsStrategicMerge: Bool { !isCustom }

    /// Patch media types this resource accepts, in kube-apiserver's order.
    var acceptedPatchTypes: [String] {
        var types = ["application/json-patch+json", "application/merge-patch+json"]
        if acceptsStrategicMerge { types.append("application/strategic-merge-patch+json") }
        types.append("application/apply-patch+yaml")
        return types
    }
}

/// Where a custom resource keeps what its `/scale` shows: the CRD's `subresources.scale` paths, each a
/// simple JSON path (`.spec.replicas`) read as field names.
struct ScalePaths: Sendable, Hashable {
    /// `specReplicasPath`: the desired replicas, which a Scale update writes.
    var specReplicas: [String]
    /// `statusReplicasPath`: the observed replicas.
    var statusReplicas: [String]
    /// `labelSelectorPath`: a string holding the label selector in text form, if any.
    var labelSelector: [String]?

    /// The paths of a CRD version's `subresources.scale`; nil when a required one is missing or not simple.
    init?(_ scale: JSONValue) {
        guard let spec = scale["specReplicasPath"]?.stringValue.flatMap(Self.fields),
            let status = scale["statusReplicasPath"]?.stringValue.flatMap(Self.fields)
        else { return nil }
        specReplicas = spec
        statusReplicas = status
        labelSelector = scale["labelSelectorPath"]?.stringValue.flatMap(Self.fields)
    }

    /// The field names of a simple JSON path (`.spec.replicas`: ["spec", "replicas"]); nil for anything else.
    static func fields(_ path: String) -> [String]? {
        guard path.hasPrefix(".") else { return nil }
        let parts = path.dropFirst().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
        guard !parts.isEmpty, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(allowed.contains) }) else { return nil }
        return parts
    }
}
