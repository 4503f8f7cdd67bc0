import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// RBAC through the API, with token-file users: what kube-apiserver would allow, refuse, and say.
struct RBACTests {
    static let users = "dev-token,dev,1001\nview-token,vic,1002,\"concord:viewers\"\nnobody-token,nobody,1003\n"

    private func withPlane<T: Sendable>(_ storage: TestStorage, _ body: (TestControlPlane) async throws -> T) async throws -> T {
        try await Self.withPlane(storage, users: Self.users, body)
    }

    /// A test control plane on `storage` whose `--token-file` holds `users`.
    static func withPlane<T: Sendable>(_ storage: TestStorage, users: String, _ body: (TestControlPlane) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("concord-rbac-\(UUID().uuidString).csv").path
        try Data(users.utf8).write(to: URL(fileURLWithPath: path))
        defer { TemporaryFiles.remove(path) }
        return try await withTestControlPlane(storage: storage, configure: { $0.tokenFile = path }, body)
    }

    static func role(_ name: String, namespace: String, rules: [JSONValue]) -> JSONValue {
        ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": .string(name), "namespace": .string(namespace)], "rules": .array(rules)]
    }

    static func roleBinding(_ name: String, namespace: String, kind: String = "Role", role: String, user: String) -> JSONValue {
        [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(kind), "name": .string(role)],
            "subjects": [["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": .string(user)]],
        ]
    }

    static let rbac = "/apis/rbac.authorization.k8s.io/v1"

    @Test(arguments: TestStorage.allCases) func defaultRolesExistAndViewIsAggregated(_ storage: TestStorage) async throws {
        try await withPlane(storage) { plane in
            let admin = APIClient(plane)
            let names = try await admin.get("\(Self.rbac)/clusterroles").json["items"]?.arrayValue?.compactMap { $0.value(at: ["metadata", "name"])?.stringValue } ?? []
            for name in ["cluster-admin", "admin", "edit", "view", "system:aggregate-to-view", "concord:aggregate-to-view", "system:basic-user"] {
                #expect(names.contains(name), "\(name) missing from \(names)")
            }
            let view = try await admin.get("\(Self.rbac)/clusterroles/view").json
            let rules = PolicyRule.rules(of: view)
            #expect(rules.contains { $0.resources.contains("configmaps") && $0.verbs == ["get", "list", "watch"] })
            #expect(rules.contains { $0.apiGroups == ["federation.concord.dev"] && $0.resources.contains("servicefailovers") })
            #expect(!rules.contains { $0.resources.contains("secrets") }, "view never reads Secrets")
            let edit = PolicyRule.rules(of: try await admin.get("\(Self.rbac)/clusterroles/edit").json)
            #expect(rules.allSatisfy(edit.contains), "edit holds everything view does")
            let bindings = try await admin.get("\(Self.rbac)/clusterrolebindings/cluster-admin").json
            #expect(bindings.value(at: ["subjects"])?.arrayValue?.first?["name"] == "system:masters")
        }
    }

    @Test(arguments: TestStorage.allCases) func aUserWithoutBindingsIsForbiddenWithKubeApiserversStatus(_ storage: TestStorage) async throws {
        try await withPlane(storage) { plane in
            let nobody = APIClient(plane, token: "nobody-token")
            let list = try await nobody.get("/api/v1/namespaces/default/configmaps")
            #expect(list.status == 403)
            #expect(list.json == [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                "message": #"configmaps is forbidden: User "nobody" cannot list resource "configmaps" in API group "" in the namespace "default""#,
                "reason": "Forbidden", "details": ["kind": "configmaps"], "code": 403,
            ])
            let deployment = try await nobody.get("/apis/apps/v1/namespaces/default/deployments/web")
            #expect(deployment.json["message"] == #"deployments.apps "web" is forbidden: User "nobody" cannot get resource "deployments" in API group "apps" in the namespace "default""#)
            #expect(deployment.json["details"] == ["name": "web", "group": "apps", "kind": "deployments"])
            // Discovery and health are every authenticated user's; other paths are not.
            #expect(try await nobody.get("/apis").status == 200)
            #expect(try await nobody.get("/openapi/v3").status == 200)
            let metrics = try await nobody.get("/metrics")
            #expect(metrics.status == 403)
            #expect(metrics.json["message"] == #"forbidden: User "nobody" cannot get path "/metrics""#)
            #expect(metrics.json["details"] == [:])
        }
    }

    @Test(arguments: TestStorage.allCases) func aRoleBindingGrantsInItsNamespaceOnlyAndAMissingRoleIsNamed(_ storage: TestStorage) async throws {
        try await withPlane(storage) { plane in
            let admin = APIClient(plane)
            #expect(try await admin.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]]).status == 201)
            let rules: [JSONValue] = [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "create"]]]
            #expect(try await admin.post("\(Self.rbac)/namespaces/shop/roles", Self.role("cm", namespace: "shop", rules: rules)).status == 201)
            #expect(try await admin.post("\(Self.rbac)/namespaces/shop/rolebindings", Self.roleBinding("dev-cm", namespace: "shop", role: "cm", user: "dev")).status == 201)
            let dev = APIClient(plane, token: "dev-token")
            // The server's own write is in force for the very next request.
            #expect(try await dev.post("/api/v1/namespaces/shop/configmaps", Fixtures.configMap("a", namespace: "shop")).status == 201)
            #expect(try await dev.get("/api/v1/namespaces/default/configmaps").status == 403)
            #expect(try await dev.send(.DELETE, "/api/v1/namespaces/shop/configmaps/a").status == 403)
            #expect(try await admin.post("\(Self.rbac)/namespaces/shop/rolebindings", Self.roleBinding("dev-gone", namespace: "shop", role: "gone", user: "dev")).status == 201)
            let denied = try await dev.send(.DELETE, "/api/v1/namespaces/shop/configmaps/a")
            #expect(denied.json["message"] == #"configmaps "a" is forbidden: User "dev" cannot delete resource "configmaps" in API group "" in the namespace "shop": RBAC: role.rbac.authorization.k8s.io "gone" not found"#)
        }
    }

    @Test(arguments: TestStorage.allCases) func aClusterRoleLabelledForViewIsAggregatedIntoView(_ storage: TestStorage) async throws {
        try await withPlane(storage) { plane in
            let admin = APIClient(plane)
            let widgets: JSONValue = [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": ["name": "widgets-view", "labels": ["rbac.authorization.k8s.io/aggregate-to-view": "true"]],
                "rules": [["apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get", "list", "watch"]]],
            ]
            #expect(try await admin.post("\(Self.rbac)/clusterroles", widgets).status == 201)
            let inView = try await eventually(timeout: .seconds(10)) {
                PolicyRule.rules(of: try await admin.get("\(Self.rbac)/clusterroles/view").json).contains { $0.resources == ["widgets"] }
            }
            #expect(inView, "view gains the labelled role's rules")
            let inAdmin = try await eventually(timeout: .seconds(10)) {
                PolicyRule.rules(of: try await admin.get("\(Self.rbac)/clusterroles/admin").json).contains { $0.resources == ["widgets"] }
            }
            #expect(inAdmin, "and through edit, admin does too")
            #expect(try await admin.send(.DELETE, "\(Self.rbac)/clusterroles/widgets-view").status == 200)
            let gone = try await eventually(timeout: .seconds(10)) {
                !PolicyRule.rules(of: try await admin.get("\(Self.rbac)/clusterroles/view").json).contains { $0.resources == ["widgets"] }
            }
            #expect(gone, "and loses them when it goes")
        }
    }

    @Test(arguments: TestStorage.allCases) func rolesAndBindingsCannotGrantMoreThanTheirAuthorHolds(_ storage: TestStorage) async throws {
        try await withPlane(storage) { plane in
            let admin = APIClient(plane)
            #expect(try await admin.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]]).status == 201)
            #expect(try await admin.post("\(Self.rbac)/namespaces/shop/rolebindings", Self.roleBinding("dev-admin", namespace: "shop", kind: "ClusterRole", role: "admin", user: "dev")).status == 201)
            let dev = APIClient(plane, token: "dev-token")
            let held: [JSONValue] = [["apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]]]
            #expect(try await dev.post("\(Self.rbac)/namespaces/shop/roles", Self.role("ok", namespace: "shop", rules: held)).status == 201)
            let more: [JSONValue] = [["apiGroups": [""], "resources": ["nodes", "configmaps"], "verbs": ["get"]]]
            let escalated = try await dev.post("\(Self.rbac)/namespaces/shop/roles", Self.role("more", namespace: "shop", rules: more))
            #expect(escalated.status == 403)
            #expect(escalated.json["message"] == .string(
                #"roles.rbac.authorization.k8s.io "more" is forbidden: user "dev" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:"#
                    + "\n" + #"{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}"#))
            let bind = try await dev.post("\(Self.rbac)/namespaces/shop/rolebindings", Self.roleBinding("x", namespace: "shop", kind: "ClusterRole", role: "cluster-admin", user: "dev"))
            #expect(bind.status == 403)
            #expect(bind.json["message"]?.stringValue?.hasPrefix(#"rolebindings.rbac.authorization.k8s.io "x" is forbidden: user "dev""#) == true, "\(bind.json)")
            // Binding a role whose permissions dev holds is fine.
            #expect(try await dev.post("\(Self.rbac)/namespaces/shop/rolebindings", Self.roleBinding("ok", namespace: "shop", role: "ok", user: "vic")).status == 201)
            // `bind` on cluster-admin lets dev bind it although dev does not hold it.
            let bindRule: [JSONValue] = [["apiGroups": ["rbac.authorization.k8s.io"], "resources": ["clusterroles"], "verbs": ["bind"], "resourceNames": ["cluster-admin"]]]
            #expect(try await admin.post("\(Self.rbac)/namespaces/shop/roles", Self.role("binder", namespace: "shop", rules: bindRule)).status == 201)
            #expect(try await admin.post("\(Self.rbac)/namespaces/shop/rolebindings", Self.roleBinding("dev-binder", namespace: "shop", role: "binder", user: "dev")).status == 201)
            #expect(try await dev.post("\(Self.rbac)/namespaces/shop/rolebindings", Self.roleBinding("x", namespace: "shop", kind: "ClusterRole", role: "cluster-admin", user: "dev")).status == 201)
        }
    }
}
