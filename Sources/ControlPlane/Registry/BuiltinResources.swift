import KubernetesAPI

/// The built-in kinds every Concord control plane serves.
enum BuiltinResources {
    static let all: [ResourceDefinition] = [
        ResourceDefinition(
            group: "", version: "v1", kind: "Namespace", plural: "namespaces", singular: "namespace", listKind: "NamespaceList",
            namespaced: false, shortNames: ["ns"], hasStatusSubresource: true, schema: BuiltinSchemas.namespace),
        ResourceDefinition(
            group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", singular: "configmap", listKind: "ConfigMapList",
            namespaced: true, shortNames: ["cm"], schema: BuiltinSchemas.configMap),
        ResourceDefinition(
            group: "", version: "v1", kind: "Secret", plural: "secrets", singular: "secret", listKind: "SecretList",
            namespaced: true, schema: BuiltinSchemas.secret),
        ResourceDefinition(
            group: "", version: "v1", kind: "Service", plural: "services", singular: "service", listKind: "ServiceList",
            namespaced: true, shortNames: ["svc"], categories: ["all"], hasStatusSubresource: true, schema: BuiltinSchemas.service),
        ResourceDefinition(
            group: "", version: "v1", kind: "Endpoints", plural: "endpoints", singular: "endpoints", listKind: "EndpointsList",
            namespaced: true, shortNames: ["ep"], schema: BuiltinSchemas.endpoints),
        ResourceDefinition(
            group: "", version: "v1", kind: "Event", plural: "events", singular: "event", listKind: "EventList",
            namespaced: true, shortNames: ["ev"], schema: BuiltinSchemas.coreEvent),
        ResourceDefinition(
            group: "apps", version: "v1", kind: "Deployment", plural: "deployments", singular: "deployment", listKind: "DeploymentList",
            namespaced: true, shortNames: ["deploy"], categories: ["all"], hasStatusSubresource: true, schema: BuiltinSchemas.deployment,
            hasScaleSubresource: true),
        ResourceDefinition(
            group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice", plural: "endpointslices", singular: "endpointslice",
            listKind: "EndpointSliceList", namespaced: true, schema: BuiltinSchemas.endpointSlice),
        ResourceDefinition(
            group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", singular: "lease", listKind: "LeaseList",
            namespaced: true, schema: BuiltinSchemas.lease),
        ResourceDefinition(
            group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", singular: "event", listKind: "EventList",
            namespaced: true, shortNames: ["ev"], schema: BuiltinSchemas.eventsEvent, storedAs: EventConversion.storageResource),
        ResourceDefinition(
            group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions",
            singular: "customresourcedefinition", listKind: "CustomResourceDefinitionList", namespaced: false,
            shortNames: ["crd", "crds"], categories: ["api-extensions"], hasStatusSubresource: true,
            schema: BuiltinSchemas.customResourceDefinition),
    ] + security + networking

    /// The Namespace kind.
    static var namespaceDefinition: ResourceDefinition { all[0] }

    /// The namespaces created at first start.
    static let initialNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease", "concord-system"]

    /// Namespaces that may not be deleted, as in kube-apiserver.
    static let protectedNamespaces: Set<String> = ["default", "kube-system", "kube-public"]
}
