import ConcordTesting
import Foundation
import KubernetesAPI
import Synchronization
import Testing

@testable import ControlPlane

/// The TokenRequest API, ServiceAccount tokens, the self reviews and impersonation.
struct ServiceAccountTokenTests {
    private static func serviceAccount(_ name: String, namespace: String = "default") -> JSONValue {
        ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": .string(name), "namespace": .string(namespace)]]
    }

    private static func tokenRequest(seconds: Int64? = nil, audiences: [String] = []) -> JSONValue {
        var spec: [String: JSONValue] = [:]
        if let seconds { spec["expirationSeconds"] = .int(seconds) }
        if !audiences.isEmpty { spec["audiences"] = .array(audiences.map(JSONValue.string)) }
        return ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": .object(spec)]
    }

    private static let whoami: JSONValue = ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"]

    @Test(arguments: TestStorage.allCases) func aTokenAuthenticatesAsItsServiceAccountUntilItExpiresOrTheAccountGoes(_ storage: TestStorage) async throws {
        let now = Mutex(Date())
        try await withTestControlPlane(storage: storage, configure: { config in config.now = { now.withLock { $0 } } }) { plane in
            let admin = APIClient(plane)
            #expect(try await admin.post("/api/v1/namespaces/default/serviceaccounts", Self.serviceAccount("robot")).status == 201)
            let issued = try await admin.post("/api/v1/namespaces/default/serviceaccounts/robot/token", Self.tokenRequest(seconds: 900))
            #expect(issued.status == 201, "\(issued.json)")
            #expect(issued.json["kind"] == "TokenRequest")
            #expect(issued.json.value(at: ["spec", "audiences"]) == ["https://kubernetes.default.svc.cluster.local"])
            #expect(issued.json.value(at: ["spec", "expirationSeconds"]) == 900)
            let token = try #require(issued.json.value(at: ["status", "token"])?.stringValue)
            #expect(token.split(separator: ".").count == 3)

            let robot = APIClient(plane, token: token)
            let me = try await robot.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", Self.whoami)
            #expect(me.status == 201)
            #expect(me.json.value(at: ["status", "userInfo", "username"]) == "system:serviceaccount:default:robot")
            #expect(me.json.value(at: ["status", "userInfo", "groups"]) == ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"])
            let forbidden = try await robot.get("/api/v1/namespaces/default/configmaps")
            #expect(forbidden.json["message"] == #"configmaps is forbidden: User "system:serviceaccount:default:robot" cannot list resource "configmaps" in API group "" in the namespace "default""#)

            // Another audience is not this server's.
            let elsewhere = try await admin.post("/api/v1/namespaces/default/serviceaccounts/robot/token", Self.tokenRequest(audiences: ["vault"]))
            let foreign = try #require(elsewhere.json.value(at: ["status", "token"])?.stringValue)
            #expect(try await APIClient(plane, token: foreign).get("/api/v1/namespaces").status == 401)
            // A forged signature is refused.
            let parts = token.split(separator: ".")
            #expect(try await APIClient(plane, token: "\(parts[0]).\(parts[1]).\(String(parts[2].reversed()))").get("/apis").status == 401)

            // Expiry.
            now.withLock { $0 = $0.addingTimeInterval(901) }
            #expect(try await robot.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", Self.whoami).status == 401)
            now.withLock { $0 = $0.addingTimeInterval(-901) }
            #expect(try await robot.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", Self.whoami).status == 201)

            // Deleting the ServiceAccount revokes it, and one re-created under the same name does not bring it back.
            #expect(try await admin.send(.DELETE, "/api/v1/namespaces/default/serviceaccounts/robot").status == 200)
            #expect(try await robot.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", Self.whoami).status == 401)
            #expect(try await admin.post("/api/v1/namespaces/default/serviceaccounts", Self.serviceAccount("robot")).status == 201)
            #expect(try await robot.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", Self.whoami).status == 401)
        }
    }

    @Test(arguments: TestStorage.allCases) func issuedTokensNeverReachTheLogEvenAtTrace(_ storage: TestStorage) async throws {
        let log = CapturedLog()
        let token = try await withTestControlPlane(storage: storage, configure: { $0.logger = log.logger(level: .trace) }) { plane in
            let admin = APIClient(plane)
            #expect(try await admin.post("/api/v1/namespaces/default/serviceaccounts", Self.serviceAccount("robot")).status == 201)
            let issued = try await admin.post("/api/v1/namespaces/default/serviceaccounts/robot/token", Self.tokenRequest())
            let token = try #require(issued.json.value(at: ["status", "token"])?.stringValue)
            #expect(try await APIClient(plane, token: token).post("/apis/authentication.k8s.io/v1/selfsubjectreviews", Self.whoami).status == 201)
            #expect(try await admin.send(.DELETE, "/api/v1/namespaces/default/serviceaccounts/robot").status == 200)
            #expect(try await APIClient(plane, token: token).get("/api/v1/namespaces").status == 401)
            return token
        }
        #expect(log.text.contains("system:serviceaccount:default:robot"), "requests name the ServiceAccount user")
        for part in token.split(separator: ".") { #expect(!log.text.contains(part), "the log shows part of the token") }
    }

    @Test(arguments: TestStorage.allCases) func tokenRequestsAreValidatedAsInKubernetes(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let admin = APIClient(plane)
            let missing = try await admin.post("/api/v1/namespaces/default/serviceaccounts/ghost/token", Self.tokenRequest())
            #expect(missing.status == 404)
            #expect(missing.json["message"] == #"serviceaccounts "ghost" not found"#)
            #expect(try await admin.post("/api/v1/namespaces/default/serviceaccounts", Self.serviceAccount("robot")).status == 201)
            let short = try await admin.post("/api/v1/namespaces/default/serviceaccounts/robot/token", Self.tokenRequest(seconds: 60))
            #expect(short.status == 422)
            #expect(short.json["message"]?.stringValue?.contains("spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes") == true, "\(short.json)")
            let standard = try await admin.post("/api/v1/namespaces/default/serviceaccounts/robot/token", Self.tokenRequest())
            #expect(standard.json.value(at: ["spec", "expirationSeconds"]) == 3600)
        }
    }

    @Test(arguments: TestStorage.allCases) func accessAndRulesReviewsAnswerForTheRequester(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let admin = APIClient(plane)
            #expect(try await admin.post("/api/v1/namespaces/default/serviceaccounts", Self.serviceAccount("deployer")).status == 201)
            let binding: JSONValue = [
                "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "deployer-edit", "namespace": "default"],
                "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"],
                "subjects": [["kind": "ServiceAccount", "name": "deployer", "namespace": "default"]],
            ]
            #expect(try await admin.post("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", binding).status == 201)
            let token = try #require(
                try await admin.post("/api/v1/namespaces/default/serviceaccounts/deployer/token", Self.tokenRequest()).json.value(at: ["status", "token"])?.stringValue)
            let deployer = APIClient(plane, token: token)
            func canI(_ verb: String, _ resource: String, group: String = "", namespace: String) async throws -> JSONValue? {
                let review: JSONValue = [
                    "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                    "spec": ["resourceAttributes": ["verb": .string(verb), "resource": .string(resource), "group": .string(group), "namespace": .string(namespace)]],
                ]
                let reply = try await deployer.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", review)
                #expect(reply.status == 201)
                return reply.json.value(at: ["status", "allowed"])
            }
            #expect(try await canI("create", "servicefailovers", group: "federation.concord.dev", namespace: "default") == true)
            #expect(try await canI("create", "servicefailovers", group: "federation.concord.dev", namespace: "shop") == false)
            #expect(try await canI("delete", "datacenters", group: "federation.concord.dev", namespace: "") == false)
            let rules = try await deployer.post(
                "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
                ["apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": ["namespace": "default"]])
            #expect(rules.status == 201)
            let resourceRules = rules.json.value(at: ["status", "resourceRules"])?.arrayValue ?? []
            #expect(resourceRules.contains { $0["resources"]?.arrayValue?.contains("servicefailovers") == true })
            #expect(resourceRules.contains { $0["resources"] == ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] })
            #expect(rules.json.value(at: ["status", "incomplete"]) == false)
        }
    }

    @Test(arguments: TestStorage.allCases) func impersonationNeedsTheImpersonateVerb(_ storage: TestStorage) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("concord-imp-\(UUID().uuidString).csv").path
        try Data("bob-token,bob,1\n".utf8).write(to: URL(fileURLWithPath: path))
        defer { TemporaryFiles.remove(path) }
        try await withTestControlPlane(storage: storage, configure: { $0.tokenFile = path }) { plane in
            let admin = APIClient(plane)
            let asViewer = try await admin.send(
                .POST, "/api/v1/namespaces/default/configmaps", body: Fixtures.configMap("x").jsonData(),
                headers: [("Impersonate-User", "carol"), ("Impersonate-Group", "concord:viewers")])
            #expect(asViewer.status == 403)
            #expect(asViewer.json["message"] == #"configmaps is forbidden: User "carol" cannot create resource "configmaps" in API group "" in the namespace "default""#)
            let whoami = try await admin.send(.POST, "/apis/authentication.k8s.io/v1/selfsubjectreviews", body: Self.whoami.jsonData(), headers: [("Impersonate-User", "carol")])
            #expect(whoami.json.value(at: ["status", "userInfo"]) == ["username": "carol", "uid": "", "groups": ["system:authenticated"]])
            let sa = try await admin.send(
                .POST, "/apis/authentication.k8s.io/v1/selfsubjectreviews", body: Self.whoami.jsonData(),
                headers: [("Impersonate-User", "system:serviceaccount:shop:deployer")])
            #expect(sa.json.value(at: ["status", "userInfo", "groups"]) == ["system:serviceaccounts", "system:serviceaccounts:shop", "system:authenticated"])

            let bob = try await APIClient(plane, token: "bob-token").send(.GET, "/api/v1/namespaces", headers: [("Impersonate-User", "concord-admin")])
            #expect(bob.status == 403)
            #expect(bob.json["message"] == #"users "concord-admin" is forbidden: User "bob" cannot impersonate resource "users" in API group "" at the cluster scope"#)
        }
    }
}
