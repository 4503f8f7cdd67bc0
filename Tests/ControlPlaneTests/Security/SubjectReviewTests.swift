import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// TokenReview, SubjectAccessReview and LocalSubjectAccessReview: kube-apiserver's answers, validation,
/// authorization and discovery.
struct SubjectReviewTests {
    static let users = "dev-token,dev,1001\nlead-token,lead,1002\n"
    static let authentication = "/apis/authentication.k8s.io/v1"
    static let authorization = "/apis/authorization.k8s.io/v1"

    private func withPlane<T: Sendable>(_ storage: TestStorage, _ body: (TestControlPlane) async throws -> T) async throws -> T {
        try await RBACTests.withPlane(storage, users: Self.users, body)
    }

    static func tokenReview(_ token: String, audiences: [String] = []) -> JSONValue {
        var spec: [String: JSONValue] = ["token": .string(token)]
        if !audiences.isEmpty { spec["audiences"] = .array(audiences.map(JSONValue.string)) }
        return ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": .object(spec)]
    }

    static func accessReview(_ spec: JSONValue, kind: String = "SubjectAccessReview", metadata: JSONValue? = nil) -> JSONValue {
        var review: [String: JSONValue] = ["apiVersion": "authorization.k8s.io/v1", "kind": .string(kind), "spec": spec]
        if let metadata { review["metadata"] = metadata }
        return .object(review)
    }

    static func binding(_ name: String, role: String, user: String, namespace: String? = nil) -> JSONValue {
        var metadata: [String: JSONValue] = ["name": .string(name)]
        if let namespace { metadata["namespace"] = .string(namespace) }
        return [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": namespace == nil ? "ClusterRoleBinding" : "RoleBinding", "metadata": .object(metadata),
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(role)],
            "subjects": [["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": .string(user)]],
        ]
    }

    @Test(arguments: TestStorage.allCases) func tokenReviewSaysWhoATokenIsForTheAudiencesAsked(_ storage: TestStorage) async throws {
        try await withPlane(storage) { plane in
            let admin = APIClient(plane)
            let account: JSONValue = ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "robot", "namespace": "default"]]
            #expect(try await admin.post("/api/v1/namespaces/default/serviceaccounts", account).status == 201)
            func issue(_ audiences: [JSONValue]) async throws -> String {
                let request: JSONValue = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["audiences": .array(audiences)]]
                let issued = try await admin.post("/api/v1/namespaces/default/serviceaccounts/robot/token", request)
                return try #require(issued.json.value(at: ["status", "token"])?.stringValue)
            }
            let token = try await issue([])
            let reviewed = try await admin.post("\(Self.authentication)/tokenreviews", Self.tokenReview(token))
            #expect(reviewed.status == 201)
            #expect(reviewed.json["kind"] == "TokenReview")
            #expect(reviewed.json["status"] == [
                "authenticated": true, "audiences": ["https://kubernetes.default.svc.cluster.local"],
                "user": [
                    "username": "system:serviceaccount:default:robot", "uid": reviewed.json.value(at: ["status", "user", "uid"]) ?? "",
                    "groups": ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
                ],
            ])
            #expect(reviewed.json.value(at: ["status", "user", "uid"])?.stringValue?.isEmpty == false)

            // Audiences: a token for vault is valid for vault only; this server's token is not valid for vault.
            let vault = try await issue(["vault", "other"])
            let forVault = try await admin.post("\(Self.authentication)/tokenreviews", Self.tokenReview(vault, audiences: ["vault"]))
            #expect(forVault.json.value(at: ["status", "authenticated"]) == true)
            #expect(forVault.json.value(at: ["status", "audiences"]) == ["vault"])
            #expect(try await admin.post("\(Self.authentication)/tokenreviews", Self.tokenReview(vault)).json.value(at: ["status", "authenticated"]) == false)
            let notForVault = try await admin.post("\(Self.authentication)/tokenreviews", Self.tokenReview(token, audiences: ["vault"])).json
            #expect(notForVault.value(at: ["status", "authenticated"]) == false)
            #expect(notForVault.value(at: ["status", "error"])?.stringValue?.hasPrefix("invalid bearer token") == true, "\(notForVault)")

            // Static tokens hold this server's audiences only; unknown strings are simply not authenticated.
            let dev = try await admin.post("\(Self.authentication)/tokenreviews", Self.tokenReview("dev-token")).json
            #expect(dev.value(at: ["status", "user"]) == ["username": "dev", "uid": "1001", "groups": ["system:authenticated"]])
            #expect(try await admin.post("\(Self.authentication)/tokenreviews", Self.tokenReview("dev-token", audiences: ["vault"])).json["status"] == ["authenticated": false])
            #expect(try await admin.post("\(Self.authentication)/tokenreviews", Self.tokenReview("nope")).json["status"] == ["authenticated": false])

            // A deleted ServiceAccount's token no longer authenticates, and the review says why.
            #expect(try await admin.send(.DELETE, "/api/v1/namespaces/default/serviceaccounts/robot").status == 200)
            let gone = try await admin.post("\(Self.authentication)/tokenreviews", Self.tokenReview(token)).json
            #expect(gone["status"] == ["authenticated": false, "error": #"invalid bearer token, serviceaccounts "robot" not found"#])

            let empty = try await admin.post("\(Self.authentication)/tokenreviews", Self.tokenReview(""))
            #expect(empty.status == 400)
            #expect(empty.json["message"] == "token is required for TokenReview in authentication.k8s.io")
        }
    }

    @Test(arguments: TestStorage.allCases) func reviewsNeedTheirOwnPermissions(_ storage: TestStorage) async throws {
        try await withPlane(storage) { plane in
            let admin = APIClient(plane), dev = APIClient(plane, token: "dev-token"), lead = APIClient(plane, token: "lead-token")
            let review = try await dev.post("\(Self.authentication)/tokenreviews", Self.tokenReview("lead-token"))
            #expect(review.status == 403)
            #expect(review.json["message"] == #"tokenreviews.authentication.k8s.io is forbidden: User "dev" cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope"#)
            let access = Self.accessReview(["user": "lead", "resourceAttributes": ["verb": "get", "resource": "pods", "namespace": "default"]])
            #expect(try await dev.post("\(Self.authorization)/subjectaccessreviews", access).status == 403)

            #expect(try await admin.post("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", Self.binding("dev-delegator", role: "system:auth-delegator", user: "dev")).status == 201)
            #expect(try await dev.post("\(Self.authentication)/tokenreviews", Self.tokenReview("lead-token")).json.value(at: ["status", "user", "username"]) == "lead")
            #expect(try await dev.post("\(Self.authorization)/subjectaccessreviews", access).json.value(at: ["status", "allowed"]) == false)

            // admin in a namespace may ask LocalSubjectAccessReviews there, and nowhere else.
            #expect(try await admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", Self.binding("lead-admin", role: "admin", user: "lead", namespace: "default")).status == 201)
            let local = Self.accessReview(["user": "dev", "resourceAttributes": ["verb": "get", "resource": "pods", "namespace": "default"]], kind: "LocalSubjectAccessReview")
            #expect(try await lead.post("\(Self.authorization)/namespaces/default/localsubjectaccessreviews", local).status == 201)
            let elsewhere = try await lead.post("\(Self.authorization)/namespaces/kube-system/localsubjectaccessreviews", local)
            #expect(elsewhere.status == 403)
            #expect(try await lead.post("\(Self.authorization)/subjectaccessreviews", access).status == 403)
        }
    }

    @Test(arguments: TestStorage.allCases) func subjectAccessReviewsAnswerForTheNamedUserAndGroups(_ storage: TestStorage) async throws {
        try await withPlane(storage) { plane in
            let admin = APIClient(plane)
            #expect(try await admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", Self.binding("dev-edit", role: "edit", user: "dev", namespace: "default")).status == 201)
            func allowed(_ spec: JSONValue) async throws -> JSONValue? {
                let reply = try await admin.post("\(Self.authorization)/subjectaccessreviews", Self.accessReview(spec))
                #expect(reply.status == 201, "\(reply.json)")
                #expect(reply.json["spec"] == spec, "the spec comes back as asked")
                return reply.json.value(at: ["status", "allowed"])
            }
            let create: JSONValue = ["verb": "create", "group": "apps", "resource": "deployments", "namespace": "default"]
            #expect(try await allowed(["user": "dev", "resourceAttributes": create]) == true)
            #expect(try await allowed(["user": "dev", "resourceAttributes": ["verb": "create", "group": "apps", "resource": "deployments", "namespace": "kube-system"]]) == false)
            #expect(try await allowed(["user": "dev", "resourceAttributes": ["verb": "get", "resource": "secrets", "namespace": "default", "name": "x"]]) == true)
            // The groups are exactly those asked: a viewer group may read, not write; masters may do anything.
            #expect(try await allowed(["user": "someone", "groups": ["concord:viewers"], "resourceAttributes": ["verb": "list", "resource": "configmaps", "namespace": "shop"]]) == true)
            #expect(try await allowed(["user": "someone", "groups": ["concord:viewers"], "resourceAttributes": create]) == false)
            #expect(try await allowed(["groups": ["system:masters"], "resourceAttributes": ["verb": "delete", "resource": "nodes"]]) == true)
            #expect(try await allowed(["user": "someone", "groups": ["system:authenticated"], "nonResourceAttributes": ["verb": "get", "path": "/healthz"]]) == true)
            #expect(try await allowed(["user": "someone", "groups": ["system:authenticated"], "nonResourceAttributes": ["verb": "get", "path": "/metrics"]]) == false)

            let local = try await admin.post(
                "\(Self.authorization)/namespaces/default/localsubjectaccessreviews",
                Self.accessReview(["user": "dev", "resourceAttributes": create], kind: "LocalSubjectAccessReview"))
            #expect(local.status == 201)
            #expect(local.json["kind"] == "LocalSubjectAccessReview")
            #expect(local.json.value(at: ["metadata", "namespace"]) == "default")
            #expect(local.json.value(at: ["status", "allowed"]) == true)
        }
    }

    @Test(arguments: TestStorage.allCases) func accessReviewsAreValidatedAsInKubernetes(_ storage: TestStorage) async throws {
        try await withPlane(storage) { plane in
            let admin = APIClient(plane)
            func message(_ path: String, _ review: JSONValue, status: Int = 422) async throws -> String {
                let reply = try await admin.post(path, review)
                #expect(reply.status == status, "\(reply.json)")
                return reply.json["message"]?.stringValue ?? "\(reply.json)"
            }
            let sar = "\(Self.authorization)/subjectaccessreviews", lsar = "\(Self.authorization)/namespaces/default/localsubjectaccessreviews"
            let get: JSONValue = ["verb": "get", "resource": "pods", "namespace": "default"]
            let noSubject = try await message(sar, Self.accessReview(["resourceAttributes": get]))
            #expect(noSubject == #"SubjectAccessReview.authorization.k8s.io "" is invalid: spec.user: Invalid value: "": at least one of user or group must be specified"#)
            let noAttributes = try await message(sar, Self.accessReview(["user": "dev"]))
            #expect(noAttributes == #"SubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified"#)
            let both = try await message(sar, Self.accessReview(["user": "dev", "resourceAttributes": get, "nonResourceAttributes": ["path": "/x", "verb": "get"]]))
            #expect(both == #"SubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/x", Verb:"get"}: cannot be specified in combination with resourceAttributes"#)
            let named = try await message(sar, Self.accessReview(["user": "dev", "resourceAttributes": get], metadata: ["name": "x"]))
            #expect(named.hasSuffix(#"metadata: Invalid value: {"name":"x"}: must be empty"#))

            let elsewhere: JSONValue = ["verb": "get", "resource": "pods", "namespace": "other"]
            let otherNamespace = try await message(lsar, Self.accessReview(["user": "dev", "resourceAttributes": elsewhere], kind: "LocalSubjectAccessReview"))
            #expect(otherNamespace == #"LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace"#)
            let nonResource = try await message(lsar, Self.accessReview(["user": "dev", "nonResourceAttributes": ["path": "/healthz", "verb": "get"]], kind: "LocalSubjectAccessReview"))
            #expect(nonResource == #"LocalSubjectAccessReview.authorization.k8s.io "" is invalid: spec.nonResourceAttributes: Invalid value: authorization.NonResourceAttributes{Path:"/healthz", Verb:"get"}: disallowed on this kind of request"#)
            let mismatch = try await message(lsar, Self.accessReview(["user": "dev", "resourceAttributes": get], kind: "LocalSubjectAccessReview", metadata: ["namespace": "other"]), status: 400)
            #expect(mismatch == "the namespace of the provided object does not match the namespace sent on the request")
            // A SubjectAccessReview is cluster-scoped, a LocalSubjectAccessReview namespaced; nothing is stored.
            #expect(try await admin.post("\(Self.authorization)/namespaces/default/subjectaccessreviews", Self.accessReview(["user": "dev", "resourceAttributes": get])).status == 404)
            #expect(try await admin.post("\(Self.authorization)/localsubjectaccessreviews", Self.accessReview(["user": "dev", "resourceAttributes": get], kind: "LocalSubjectAccessReview")).status == 404)
            #expect(try await admin.get(sar).status == 405)
        }
    }

    @Test(arguments: TestStorage.allCases) func discoveryListsTheReviews(_ storage: TestStorage) async throws {
        try await withPlane(storage) { plane in
            let admin = APIClient(plane)
            func resources(_ path: String) async throws -> [String: JSONValue] {
                let list = try await admin.get(path).json["resources"]?.arrayValue ?? []
                return Dictionary(list.compactMap { r in r["name"]?.stringValue.map { ($0, r) } }, uniquingKeysWith: { a, _ in a })
            }
            let authorization = try await resources(Self.authorization)
            #expect(Set(authorization.keys) == ["localsubjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews", "subjectaccessreviews"])
            #expect(authorization["localsubjectaccessreviews"] == ["name": "localsubjectaccessreviews", "singularName": "localsubjectaccessreview", "namespaced": true, "kind": "LocalSubjectAccessReview", "verbs": ["create"]])
            #expect(authorization["subjectaccessreviews"]?["namespaced"] == false)
            #expect(Set(try await resources(Self.authentication).keys) == ["selfsubjectreviews", "tokenreviews"])
            #expect(try await resources("/api/v1")["serviceaccounts/token"]?["kind"] == "TokenRequest")
            let groups = try await admin.get("/apis").json["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(groups.contains("authentication.k8s.io") && groups.contains("authorization.k8s.io"), "\(groups)")
            let group = try await admin.get("/apis/authentication.k8s.io").json
            #expect(group["preferredVersion"] == ["groupVersion": "authentication.k8s.io/v1", "version": "v1"])

            let aggregated = try await admin.get("/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList").json
            let item = aggregated["items"]?.arrayValue?.first { $0.value(at: ["metadata", "name"]) == "authorization.k8s.io" }
            let served = item?["versions"]?.arrayValue?.first?["resources"]?.arrayValue?.compactMap { $0["resource"]?.stringValue } ?? []
            #expect(served == ["localsubjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews", "subjectaccessreviews"])
        }
    }
}
