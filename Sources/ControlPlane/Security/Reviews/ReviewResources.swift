import KubernetesAPI

/// The create-only kinds kube-apiserver serves for reviews (authentication.k8s.io and authorization.k8s.io):
/// a POST is answered and nothing is stored. Discovery lists them so `kubectl create -f` finds them.
struct ReviewResource: Sendable, Equatable {
    /// The API group.
    let group: String
    /// The API version.
    let version: String
    /// The resource (plural) name.
    let plural: String
    /// The kind of both the request and the answer.
    let kind: String
    /// Whether it is posted into a namespace (LocalSubjectAccessReview).
    let namespaced: Bool

    /// Every review kind served, in kube-apiserver's discovery order.
    static let all: [ReviewResource] = [
        ReviewResource(group: authentication, version: "v1", plural: "selfsubjectreviews", kind: "SelfSubjectReview", namespaced: false),
        ReviewResource(group: authentication, version: "v1", plural: "tokenreviews", kind: "TokenReview", namespaced: false),
        ReviewResource(group: authentication, version: "v1beta1", plural: "selfsubjectreviews", kind: "SelfSubjectReview", namespaced: false),
        ReviewResource(group: authorization, version: "v1", plural: "localsubjectaccessreviews", kind: "LocalSubjectAccessReview", namespaced: true),
        ReviewResource(group: authorization, version: "v1", plural: "selfsubjectaccessreviews", kind: "SelfSubjectAccessReview", namespaced: false),
        ReviewResource(group: authorization, version: "v1", plural: "selfsubjectrulesreviews", kind: "SelfSubjectRulesReview", namespaced: false),
        ReviewResource(group: authorization, version: "v1", plural: "subjectaccessreviews", kind: "SubjectAccessReview", namespaced: false),
    ]

    /// `authentication.k8s.io`.
    static let authentication = "authentication.k8s.io"
    /// `authorization.k8s.io`.
    static let authorization = "authorization.k8s.io"

    /// The review a resource path posts to: a collection path of its group, version and scope.
    static func find(_ rp: ResourcePath) -> ReviewResource? {
        guard rp.name == nil, rp.subresource == nil else { return nil }
        return all.first { $0.group == rp.group && $0.version == rp.version && $0.plural == rp.plural && $0.namespaced == (rp.namespace != nil) }
    }

    /// The reviews of one group-version.
    static func served(group: String, version: String) -> [ReviewResource] {
        all.filter { $0.group == group && $0.version == version }
    }

    /// The singular name discovery shows.
    var singular: String { kind.lowercased() }

    /// The entry of an aggregated (apidiscovery.k8s.io/v2) discovery document.
    var aggregated: JSONValue {
        [
            "resource": .string(plural), "responseKind": ["group": .string(group), "version": .string(version), "kind": .string(kind)],
            "scope": namespaced ? "Namespaced" : "Cluster", "singularResource": .string(singular), "verbs": ["create"],
        ]
    }

    /// The entry of a legacy APIResourceList.
    var legacy: JSONValue {
        ["name": .string(plural), "singularName": .string(singular), "namespaced": .bool(namespaced), "kind": .string(kind), "verbs": ["create"]]
    }
}
