import KubernetesAPI

/// Schemas of ServiceAccount and the rbac.authorization.k8s.io/v1 kinds.
extension BuiltinSchemas {
    static let serviceAccount = kind("ServiceAccount binds together a name, a principal that can be authenticated, and a set of secrets.", [
        "secrets": array("Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.", free("ObjectReference")),
        "imagePullSecrets": array("ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling images.", free("LocalObjectReference")),
        "automountServiceAccountToken": boolean("AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted."),
    ])

    static let policyRule = object("PolicyRule holds information that describes a policy rule.", [
        "verbs": array("Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs.", string("")),
        "apiGroups": array("APIGroups is the name of the APIGroup that contains the resources.", string("")),
        "resources": array("Resources is a list of resources this rule applies to. '*' represents all resources.", string("")),
        "resourceNames": array("ResourceNames is an optional white list of names that the rule applies to.", string("")),
        "nonResourceURLs": array("NonResourceURLs is a set of partial urls that a user should have access to.", string("")),
    ], required: ["verbs"])

    static let subject = object("Subject contains a reference to the object or user identities a role binding applies to.", [
        "kind": string("Kind of object being referenced: User, Group or ServiceAccount."),
        "apiGroup": string("APIGroup holds the API group of the referenced subject."),
        "name": string("Name of the object being referenced."),
        "namespace": string("Namespace of the referenced object (ServiceAccount only)."),
    ], required: ["kind", "name"])

    static let roleRef = object("RoleRef contains information that points to the role being used.", [
        "apiGroup": string("APIGroup is the group for the resource being referenced."),
        "kind": string("Kind is the type of resource being referenced: Role or ClusterRole."),
        "name": string("Name is the name of resource being referenced."),
    ], required: ["apiGroup", "kind", "name"])

    static let role = kind("Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.", [
        "rules": array("Rules holds all the PolicyRules for this Role.", policyRule)
    ])

    static let clusterRole = kind("ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.", [
        "rules": array("Rules holds all the PolicyRules for this ClusterRole.", policyRule),
        "aggregationRule": object("AggregationRule is an optional field that describes how to build the Rules for this ClusterRole.", [
            "clusterRoleSelectors": array("ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules.", free("LabelSelector"))
        ]),
    ])

    static let roleBinding = kind("RoleBinding references a role, but does not contain it.", [
        "subjects": array("Subjects holds references to the objects the role applies to.", subject),
        "roleRef": roleRef,
    ])
}

extension BuiltinResources {
    /// The rbac.authorization.k8s.io group.
    static let rbacGroup = "rbac.authorization.k8s.io"

    /// ServiceAccount and the RBAC kinds.
    static let security: [ResourceDefinition] = [
        ResourceDefinition(
            group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", singular: "serviceaccount", listKind: "ServiceAccountList",
            namespaced: true, shortNames: ["sa"], schema: BuiltinSchemas.serviceAccount),
        ResourceDefinition(
            group: rbacGroup, version: "v1", kind: "Role", plural: "roles", singular: "role", listKind: "RoleList",
            namespaced: true, schema: BuiltinSchemas.role),
        ResourceDefinition(
            group: rbacGroup, version: "v1", kind: "ClusterRole", plural: "clusterroles", singular: "clusterrole", listKind: "ClusterRoleList",
            namespaced: false, schema: BuiltinSchemas.clusterRole),
        ResourceDefinition(
            group: rbacGroup, version: "v1", kind: "RoleBinding", plural: "rolebindings", singular: "rolebinding", listKind: "RoleBindingList",
            namespaced: true, schema: BuiltinSchemas.roleBinding),
        ResourceDefinition(
            group: rbacGroup, version: "v1", kind: "ClusterRoleBinding", plural: "clusterrolebindings", singular: "clusterrolebinding",
            listKind: "ClusterRoleBindingList", namespaced: false, schema: BuiltinSchemas.roleBinding),
    ]
}
