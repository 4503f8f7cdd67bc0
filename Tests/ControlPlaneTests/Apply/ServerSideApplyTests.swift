import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// Server-side apply and managedFields through the HTTP API.
struct ServerSideApplyTests {
    static let applyType = "application/apply-patch+yaml"
    let widgets = Fixtures.widgets
    static let cms = "/api/v1/namespaces/default/configmaps"

    static func managedFields(_ reply: APIClient.Reply) -> [JSONValue] {
        reply.json.value(at: ["metadata", "managedFields"])?.arrayValue ?? []
    }

    static func entry(_ reply: APIClient.Reply, _ manager: String) -> JSONValue? {
        managedFields(reply).first { $0["manager"]?.stringValue == manager }
    }

    func apply(_ client: APIClient, _ path: String, _ body: JSONValue, query: String = "?fieldManager=kubectl&force=false") async throws -> APIClient.Reply {
        try await client.send(.PATCH, path + query, body: body.jsonData(), contentType: Self.applyType)
    }

    @Test(arguments: TestStorage.allCases) func applyCreatesWith201ThenUpdatesWith200(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            let created = try await apply(client, widgets + "/w1", Fixtures.widget("w1", size: 3))
            #expect(created.status == 201, "\(created.text)")
            let entry = try #require(Self.entry(created, "kubectl"))
            #expect(entry["operation"] == "Apply")
            #expect(entry.value(at: ["fieldsV1", "f:spec", "f:size"]) == [:])
            #expect(created.json.value(at: ["metadata", "uid"]) != nil)
            let again = try await apply(client, widgets + "/w1", Fixtures.widget("w1", size: 3))
            #expect(again.status == 200)
            #expect(again.json.value(at: ["metadata", "resourceVersion"]) == created.json.value(at: ["metadata", "resourceVersion"]), "re-applying the same configuration changes nothing")
            let updated = try await apply(client, widgets + "/w1", Fixtures.widget("w1", size: 4))
            #expect(updated.status == 200)
            #expect(updated.json.value(at: ["spec", "size"]) == 4)
            #expect(updated.json.value(at: ["metadata", "generation"]) == 2)
        }
    }

    @Test(arguments: TestStorage.allCases) func applyWithoutFieldManagerIsRefusedAsKubeApiserverDoes(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let reply = try await apply(client, Self.cms + "/a", Fixtures.configMap("a"), query: "")
            #expect(reply.status == 422)
            #expect(reply.json["reason"] == "Invalid")
            #expect(reply.json["message"] == #"PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch"#)
            #expect(reply.json.value(at: ["details", "causes"])?.arrayValue?.first?["field"] == "fieldManager")
            #expect(try await client.get(Self.cms + "/a").status == 404)
        }
    }

    @Test(arguments: TestStorage.allCases) func conflictIs409WithFieldManagerConflictCausesAndForceTakesOwnership(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            #expect(try await client.post(widgets + "?fieldManager=kubectl-client-side-apply", Fixtures.widget("w1", size: 3)).status == 201)
            let conflict = try await apply(client, widgets + "/w1", Fixtures.widget("w1", size: 5))
            #expect(conflict.status == 409)
            #expect(conflict.json["reason"] == "Conflict")
            #expect(conflict.json["message"] == #"Apply failed with 1 conflict: conflict with "kubectl-client-side-apply": .spec.size"#)
            #expect(conflict.json.value(at: ["details", "causes"]) == [
                ["reason": "FieldManagerConflict", "message": #"conflict with "kubectl-client-side-apply": .spec.size"#, "field": ".spec.size"]
            ])
            #expect(try await client.get(widgets + "/w1").json.value(at: ["spec", "size"]) == 3)
            let forced = try await apply(client, widgets + "/w1", Fixtures.widget("w1", size: 5), query: "?fieldManager=kubectl&force=true")
            #expect(forced.status == 200)
            #expect(forced.json.value(at: ["spec", "size"]) == 5)
            #expect(Self.entry(forced, "kubectl")?.value(at: ["fieldsV1", "f:spec", "f:size"]) == [:])
            #expect(Self.entry(forced, "kubectl-client-side-apply")?.value(at: ["fieldsV1", "f:spec", "f:size"]) == nil)
        }
    }

    @Test(arguments: TestStorage.allCases) func ordinaryWritesRecordUpdateEntriesNamedByFieldManagerOrUserAgent(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let agent = [("User-Agent", "kubectl/v1.32.0 (linux/amd64) kubernetes/abcdef")]
            let created = try await client.send(.POST, Self.cms, body: Fixtures.configMap("a").jsonData(), headers: agent)
            #expect(created.status == 201)
            let byAgent = try #require(Self.entry(created, "kubectl"))
            #expect(byAgent["operation"] == "Update" && byAgent["apiVersion"] == "v1")
            #expect(byAgent["fieldsV1"] == ["f:data": [".": [:], "f:k": [:]], "f:metadata": ["f:labels": [:]]])
            let patched = try await client.send(
                .PATCH, Self.cms + "/a?fieldManager=kubectl-patch", body: #"{"data":{"k2":"v2"}}"#.data(using: .utf8), contentType: "application/merge-patch+json",
                headers: agent)
            #expect(Self.entry(patched, "kubectl-patch")?["fieldsV1"] == ["f:data": ["f:k2": [:]]])
            var replacement = patched.json
            replacement.setValue("changed", at: ["data", "k"])
            let put = try await client.send(.PUT, Self.cms + "/a?fieldManager=kubectl-edit", body: replacement.jsonData())
            #expect(put.status == 200)
            #expect(Self.entry(put, "kubectl-edit")?["fieldsV1"] == ["f:data": ["f:k": [:]]])
            #expect(Self.entry(put, "kubectl")?["fieldsV1"] == ["f:data": [:], "f:metadata": ["f:labels": [:]]], "a member left without members below is a leaf")
        }
    }

    @Test(arguments: TestStorage.allCases) func statusWritesRecordTheStatusSubresource(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            _ = try await client.post(widgets + "?fieldManager=creator", Fixtures.widget("w1"))
            let status = try await client.send(
                .PATCH, widgets + "/w1/status?fieldManager=controller", body: #"{"status":{"phase":"Ready"}}"#.data(using: .utf8),
                contentType: "application/merge-patch+json")
            #expect(status.status == 200)
            let entry = try #require(Self.entry(status, "controller"))
            #expect(entry["subresource"] == "status")
            #expect(entry["fieldsV1"] == ["f:status": ["f:phase": [:]]])
            #expect(Self.entry(status, "creator")?["subresource"] == nil)
        }
    }

    @Test(arguments: TestStorage.allCases) func dryRunApplyStoresNothing(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let created = try await apply(client, Self.cms + "/a", Fixtures.configMap("a"), query: "?fieldManager=m&dryRun=All")
            #expect(created.status == 201)
            #expect(Self.entry(created, "m")?["operation"] == "Apply")
            #expect(try await client.get(Self.cms + "/a").status == 404)
            _ = try await apply(client, Self.cms + "/a", Fixtures.configMap("a"), query: "?fieldManager=m")
            let dry = try await apply(client, Self.cms + "/a", Fixtures.configMap("a", data: ["k": "other"]), query: "?fieldManager=m&dryRun=All")
            #expect(dry.status == 200 && dry.json.value(at: ["data", "k"]) == "other")
            #expect(try await client.get(Self.cms + "/a").json.value(at: ["data", "k"]) == "v")
        }
    }

    @Test(arguments: TestStorage.allCases) func yamlBodiesAreAccepted(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  a: \"1\"\n"
            let reply = try await client.send(.PATCH, Self.cms + "/y?fieldManager=m", body: Data(yaml.utf8), contentType: Self.applyType)
            #expect(reply.status == 201, "\(reply.text)")
            #expect(reply.json.value(at: ["data", "a"]) == "1")
        }
    }

    @Test(arguments: TestStorage.allCases) func droppedFieldsAreRemovedWhenNobodyElseOwnsThem(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await apply(client, Self.cms + "/a", Fixtures.configMap("a", data: ["one": "1", "two": "2", "three": "3"]))
            _ = try await client.send(
                .PATCH, Self.cms + "/a?fieldManager=other", body: #"{"data":{"three":"33"}}"#.data(using: .utf8), contentType: "application/merge-patch+json")
            let reapplied = try await apply(client, Self.cms + "/a", Fixtures.configMap("a", data: ["one": "1"]))
            #expect(reapplied.status == 200)
            #expect(reapplied.json["data"] == ["one": "1", "three": "33"])
        }
    }

    @Test(arguments: TestStorage.allCases) func deploymentContainersAreAListMapKeyedByName(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let path = "/apis/apps/v1/namespaces/default/deployments/web"
            func deployment(_ image: String) -> JSONValue {
                [
                    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web"],
                    "spec": [
                        "selector": ["matchLabels": ["app": "web"]],
                        "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "app", "image": .string(image)]]]],
                    ],
                ]
            }
            let created = try await apply(client, path, deployment("nginx:1"))
            #expect(created.status == 201, "\(created.text)")
            let fields = try #require(Self.entry(created, "kubectl")?["fieldsV1"])
            let container = fields.value(at: ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"app"}"#])
            #expect(container == [".": [:], "f:name": [:], "f:image": [:]])
            let conflict = try await apply(client, path, deployment("nginx:2"), query: "?fieldManager=other")
            #expect(conflict.status == 409)
            #expect(conflict.json.value(at: ["details", "causes"])?.arrayValue?.first?["field"] == #".spec.template.spec.containers[name="app"].image"#)
        }
    }

    @Test(arguments: TestStorage.allCases) func forceOnANonApplyPatchIs422(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            let reply = try await client.send(
                .PATCH, Self.cms + "/a?force=true", body: #"{"data":{"k":"x"}}"#.data(using: .utf8), contentType: "application/merge-patch+json")
            #expect(reply.status == 422)
        }
    }

    @Test(arguments: TestStorage.allCases) func jsonPatchOfManagedFieldsReplacesThemAsKubectlMigrationDoes(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let created = try await client.post(Self.cms + "?fieldManager=kubectl-client-side-apply", Fixtures.configMap("a"))
            let rv = try #require(created.json.value(at: ["metadata", "resourceVersion"]))
            var entries = Self.managedFields(created)
            entries[0]["manager"] = "kubectl"
            entries[0]["operation"] = "Apply"
            let patch: JSONValue = [
                ["op": "replace", "path": "/metadata/managedFields", "value": .array(entries)],
                ["op": "replace", "path": "/metadata/resourceVersion", "value": rv],
            ]
            let migrated = try await client.send(
                .PATCH, Self.cms + "/a?fieldManager=kubectl", body: patch.jsonData(), contentType: "application/json-patch+json")
            #expect(migrated.status == 200, "\(migrated.text)")
            #expect(Self.managedFields(migrated).map { $0["manager"] } == ["kubectl"])
            #expect(Self.managedFields(migrated).first?["operation"] == "Apply")
        }
    }

    @Test(arguments: TestStorage.allCases) func entryTimesComeFromTheServersClock(_ storage: TestStorage) async throws {
        let fixed = Date(timeIntervalSince1970: 1_800_000_000)
        try await withTestControlPlane(storage: storage, configure: { $0.now = { fixed } }) { plane in
            let client = APIClient(plane)
            let applied = try await apply(client, Self.cms + "/a", Fixtures.configMap("a"))
            #expect(Self.entry(applied, "kubectl")?["time"] == .string(KubeTime(fixed).description))
            let labeled = try await client.send(
                .PATCH, Self.cms + "/a?fieldManager=kubectl-label", body: #"{"metadata":{"labels":{"x":"y"}}}"#.data(using: .utf8),
                contentType: "application/merge-patch+json")
            #expect(Self.entry(labeled, "kubectl-label")?["time"] == "2027-01-15T08:00:00Z")
        }
    }

    @Test(arguments: TestStorage.allCases) func applyThroughStatusOwnsOnlyStatus(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            _ = try await apply(client, widgets + "/w1", Fixtures.widget("w1"))
            var config = Fixtures.widget("w1", size: 99)
            config["status"] = ["phase": "Ready"]
            let reply = try await apply(client, widgets + "/w1/status", config, query: "?fieldManager=controller&force=true")
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json.value(at: ["status", "phase"]) == "Ready")
            #expect(reply.json.value(at: ["spec", "size"]) == 3, "the status endpoint ignores spec")
            let entry = try #require(Self.entry(reply, "controller"))
            #expect(entry["subresource"] == "status" && entry["operation"] == "Apply")
            #expect(entry["fieldsV1"] == ["f:status": ["f:phase": [:]]])
        }
    }

    @Test(arguments: TestStorage.allCases) func applyConfigurationsMayNotCarryManagedFields(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            var config = Fixtures.configMap("a")
            config.setValue([["manager": "x"]], at: ["metadata", "managedFields"])
            let reply = try await apply(APIClient(plane), Self.cms + "/a", config)
            #expect(reply.status == 400)
            #expect(reply.json["message"] == "metadata.managedFields must be nil")
        }
    }
}
