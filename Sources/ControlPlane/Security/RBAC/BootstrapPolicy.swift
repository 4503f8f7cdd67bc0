import KubernetesAPI

/// The ClusterRoles and ClusterRoleBindings every Concord control plane starts with: kube-apiserver's
/// user-facing roles (`cluster-admin`, `admin`, `edit`, `view` with their aggregation labels), the roles
/// every authenticated user holds (discovery, health, self reviews), and Concord's own resources
/// aggregated into `view`, `edit` and `admin`.
enum BootstrapPolicy {
    static let aggregateToAdmin = "rbac.authorization.k8s.io/aggregate-to-admin"
    static let aggregateToEdit = "rbac.authorization.k8s.io/aggregate-to-edit"
    static let aggregateToView = "rbac.authorization.k8s.io/aggregate-to-view"

    private static let read = ["get", "list", "watch"]
    private static let write = ["create", "delete", "deletecollection", "patch", "update"]
    private static let federationGroup = "federation.concord.dev"

    /// The default ClusterRoles.
    static var clusterRoles: [JSONValue] {
        [
            clusterRole("cluster-admin", rules: [
                PolicyRule(verbs: ["*"], apiGroups: ["*"], resources: ["*"]), PolicyRule(verbs: ["*"], nonResourceURLs: ["*"]),
            ]),
            clusterRole("admin", aggregatesFrom: aggregateToAdmin),
            clusterRole("edit", labels: [aggregateToAdmin: "true"], aggregatesFrom: aggregateToEdit),
            clusterRole("view", labels: [aggregateToEdit: "true"], aggregatesFrom: aggregateToView),
            clusterRole("system:aggregate-to-admin", labels: [aggregateToAdmin: "true"], rules: [
                PolicyRule(verbs: read + write, apiGroups: [BuiltinResources.rbacGroup], resources: ["rolebindings", "roles"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["localsubjectaccessreviews"]),
            ]),
            clusterRole("system:aggregate-to-edit", labels: [aggregateToEdit: "true"], rules: [
                PolicyRule(verbs: ["impersonate"], apiGroups: [""], resources: ["serviceaccounts"]),
                PolicyRule(verbs: write, apiGroups: [""], resources: [
                    "configmaps", "endpoints", "persistentvolumeclaims", "pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy",
                    "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy",
                ]),
                PolicyRule(verbs: ["create"], apiGroups: [""], resources: ["serviceaccounts/token"]),
                PolicyRule(verbs: write, apiGroups: ["apps"], resources: [
                    "daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets",
                    "statefulsets/scale",
                ]),
                PolicyRule(verbs: write, apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"]),
                PolicyRule(verbs: read + write, apiGroups: [""], resources: ["secrets"]),
            ]),
            clusterRole("system:aggregate-to-view", labels: [aggregateToView: "true"], rules: [
                PolicyRule(verbs: read, apiGroups: [""], resources: [
                    "configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers",
                    "replicationcontrollers/scale", "serviceaccounts", "services", "services/status",
                ]),
                PolicyRule(verbs: read, apiGroups: [""], resources: [
                    "bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status",
                    "resourcequotas", "resourcequotas/status",
                ]),
                PolicyRule(verbs: read, apiGroups: [""], resources: ["namespaces"]),
                PolicyRule(verbs: read, apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"]),
                PolicyRule(verbs: read, apiGroups: ["apps"], resources: [
                    "controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets",
                    "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status",
                ]),
                PolicyRule(verbs: read, apiGroups: ["networking.k8s.io"], resources: ["ingresses", "ingresses/status", "networkpolicies"]),
            ]),
            clusterRole("concord:aggregate-to-view", labels: [aggregateToView: "true"], rules: [
                PolicyRule(verbs: read, apiGroups: [federationGroup], resources: [
                    "datacenters", "datacenters/status", "federationpolicies", "federationpolicies/status", "servicefailovers",
                    "servicefailovers/status", "replicationrules", "replicationrules/status",
                ])
            ]),
            clusterRole("concord:aggregate-to-edit", labels: [aggregateToEdit: "true"], rules: [
                PolicyRule(verbs: write, apiGroups: [federationGroup], resources: ["servicefailovers", "replicationrules"])
            ]),
            clusterRole("concord:aggregate-to-admin", labels: [aggregateToAdmin: "true"], rules: [
                PolicyRule(verbs: write, apiGroups: [federationGroup], resources: ["datacenters", "federationpolicies"])
            ]),
            clusterRole("system:discovery", rules: [
                PolicyRule(verbs: ["get"], nonResourceURLs: [
                    "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/",
                ])
            ]),
            clusterRole("system:public-info-viewer", rules: [
                PolicyRule(verbs: ["get"], nonResourceURLs: ["/healthz", "/livez", "/readyz", "/version", "/version/"])
            ]),
            clusterRole("system:basic-user", rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"]),
            ]),
            // For servers that delegate authentication and authorization to this one (not bound by default).
            clusterRole("system:auth-delegator", rules: [
                PolicyRule(verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["tokenreviews"]),
                PolicyRule(verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["subjectaccessreviews"]),
            ]),
        ]
    }

    /// The default ClusterRoleBindings.
    static var clusterRoleBindings: [JSONValue] {
        [
            binding("cluster-admin", role: "cluster-admin", groups: [RBACAuthorizer.mastersGroup]),
            binding("system:discovery", role: "system:discovery", groups: ["system:authenticated"]),
            binding("system:basic-user", role: "system:basic-user", groups: ["system:authenticated"]),
            binding("system:public-info-viewer", role: "system:public-info-viewer", groups: ["system:authenticated", "system:unauthenticated"]),
            binding(Authorizer.viewersGroup, role: "view", groups: [Authorizer.viewersGroup]),
        ]
    }

    private static func metadata(_ name: String, labels: [String: String]) -> JSONValue {
        var all: [String: JSONValue] = ["kubernetes.io/bootstrapping": "rbac-defaults"]
        for (k, v) in labels { all[k] = .string(v) }
        return ["name": .string(name), "labels": .object(all), "annotations": ["rbac.authorization.kubernetes.io/autoupdate": "true"]]
    }

    private static func clusterRole(_ name: String, labels: [String: String] = [:], rules: [PolicyRule] = [], aggregatesFrom label: String? = nil) -> JSONValue {
        var o: [String: JSONValue] = [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": metadata(name, labels: labels),
            "rules": .array(rules.map(\.json)),
        ]
        if let label { o["aggregationRule"] = ["clusterRoleSelectors": [["matchLabels": [label: "true"]]]] }
        return .object(o)
    }

    private static func binding(_ name: String, role: String, groups: [String]) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": metadata(name, labels: [:]),
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(role)],
            "subjects": .array(groups.map { ["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": .string($0)] }),
        ]
    }
}
