import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// The protobuf bodies kubectl sends for the RBAC kinds, TokenRequest and the self reviews.
struct SecurityProtobufTests {
    typealias E = ProtobufTestEncoder

    @Test func decodesARoleBindingWithSubjectsAndRoleRef() throws {
        let subject = E.field(1, "ServiceAccount") + E.field(3, "deployer") + E.field(4, "shop")
        let roleRef = E.field(1, "rbac.authorization.k8s.io") + E.field(2, "ClusterRole") + E.field(3, "edit")
        let raw = E.field(1, E.field(1, "deployer-edit")) + E.field(2, subject) + E.field(3, roleRef)
        let object = try KubernetesProtobuf.decodeObject(E.body(apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", raw: raw))
        #expect(object == [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "deployer-edit"],
            "subjects": [["kind": "ServiceAccount", "name": "deployer", "namespace": "shop"]],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"],
        ])
    }

    @Test func decodesAClusterRoleWithRulesAndAnAggregationRule() throws {
        let rule = E.field(1, "get") + E.field(1, "list") + E.field(2, "") + E.field(3, "configmaps") + E.field(4, "settings")
        let selector = E.entry(1, "team", Array("a".utf8))
        let raw = E.field(1, E.field(1, "team-read")) + E.field(2, rule) + E.field(3, E.field(1, selector))
        let object = try KubernetesProtobuf.decodeObject(E.body(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", raw: raw))
        #expect(object["rules"] == [["verbs": ["get", "list"], "apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["settings"]]])
        #expect(object["aggregationRule"] == ["clusterRoleSelectors": [["matchLabels": ["team": "a"]]]])
    }

    @Test func decodesATokenRequestAndTheReviews() throws {
        let spec = E.field(1, "vault") + E.varintField(4, 1200)
        let token = try KubernetesProtobuf.decodeObject(E.body(apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", raw: E.field(1, []) + E.field(2, spec)))
        #expect(token["spec"] == ["audiences": ["vault"], "expirationSeconds": 1200])
        let attributes = E.field(1, "shop") + E.field(2, "create") + E.field(3, "federation.concord.dev") + E.field(5, "servicefailovers")
        let review = try KubernetesProtobuf.decodeObject(
            E.body(apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", raw: E.field(2, E.field(1, attributes))))
        #expect(review.value(at: ["spec", "resourceAttributes"]) == [
            "namespace": "shop", "verb": "create", "group": "federation.concord.dev", "resource": "servicefailovers",
        ])
        let account = try KubernetesProtobuf.decodeObject(E.body(kind: "ServiceAccount", raw: E.field(1, E.field(1, "robot"))))
        #expect(account == ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "robot"]])
    }
}
