import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

struct ObjectCRUDTests {
    static let cms = "/api/v1/namespaces/default/configmaps"

    @Test(arguments: TestStorage.allCases) func createAnswers201WithServerAssignedMetadata(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let reply = try await client.post(Self.cms, Fixtures.configMap("a"))
            #expect(reply.status == 201)
            let meta = reply.json["metadata"]
            let uid = try #require(meta?["uid"]?.stringValue)
            #expect(UUID(uuidString: uid) != nil)
            #expect(uid.dropFirst(14).first == "4")  // UUIDv4
            let created = try #require(meta?["creationTimestamp"]?.stringValue)
            #expect(created.count == 20 && created.hasSuffix("Z"))
            // kube-apiserver tracks no generation for a ConfigMap.
            #expect(meta?["generation"] == nil)
            #expect(Int64(meta?["resourceVersion"]?.stringValue ?? "") != nil)
            #expect(reply.json["kind"] == "ConfigMap" && reply.json["apiVersion"] == "v1")
        }
    }

    @Test(arguments: TestStorage.allCases) func initialNamespacesExistAndAreActive(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            for name in ["default", "kube-system", "concord-system"] {
                let reply = try await APIClient(plane).get("/api/v1/namespaces/\(name)")
                #expect(reply.status == 200)
                #expect(reply.json.value(at: ["status", "phase"]) == "Active")
            }
        }
    }

    @Test(arguments: TestStorage.allCases) func generateNameProducesAUniqueName(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let body: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["generateName": "gen-"]]
            let a = try await APIClient(plane).post(Self.cms, body)
            let b = try await APIClient(plane).post(Self.cms, body)
            let nameA = try #require(a.json.value(at: ["metadata", "name"])?.stringValue)
            let nameB = try #require(b.json.value(at: ["metadata", "name"])?.stringValue)
            #expect(nameA.hasPrefix("gen-") && nameA.count == 9)
            #expect(nameA != nameB)
        }
    }

    @Test(arguments: TestStorage.allCases, ["Bad_Name", "-x", "a..b", String(repeating: "a", count: 254)])
    func invalidNamesAre422(_ storage: TestStorage, name: String) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane).post(Self.cms, Fixtures.configMap(name))
            #expect(reply.status == 422)
            #expect(reply.json["reason"] == "Invalid")
            let cause = reply.json.value(at: ["details", "causes"])?.arrayValue?.first
            #expect(cause?["field"] == "metadata.name")
            #expect(reply.json["message"]?.stringValue?.hasPrefix("ConfigMap \"\(name)\" is invalid: metadata.name: Invalid value") == true)
        }
    }

    @Test(arguments: TestStorage.allCases) func namespaceNamesMustBeLabels(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane).post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "a.b"]])
            #expect(reply.status == 422)
            #expect(reply.json["message"]?.stringValue?.contains("RFC 1123 label") == true)
        }
    }

    @Test(arguments: TestStorage.allCases) func createInMissingNamespaceIs404NamespaceNotFound(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane).post("/api/v1/namespaces/nowhere/configmaps", Fixtures.configMap("a", namespace: "nowhere"))
            #expect(reply.status == 404)
            #expect(reply.json["message"] == "namespaces \"nowhere\" not found")
        }
    }

    @Test(arguments: TestStorage.allCases) func duplicateCreateIs409AlreadyExists(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane).post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "default"]])
            #expect(reply.status == 409)
            #expect(reply.json["reason"] == "AlreadyExists")
            #expect(reply.json["message"] == "namespaces \"default\" already exists")
            #expect(reply.json.value(at: ["details", "kind"]) == "namespaces")
        }
    }

    @Test(arguments: TestStorage.allCases) func getMissingIs404WithDetails(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane).get(Self.cms + "/nope")
            #expect(reply.status == 404)
            #expect(reply.json["message"] == "configmaps \"nope\" not found")
            #expect(reply.json["details"] == ["name": "nope", "kind": "configmaps"])
        }
    }

    @Test(arguments: TestStorage.allCases) func unknownPathsAre404AndWrongMethodsAre405(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let unknown = try await client.get("/apis/nope.io/v1/things")
            #expect(unknown.status == 404)
            let wrongMethod = try await client.post(Self.cms + "/x", Fixtures.configMap("x"))
            #expect(wrongMethod.status == 405)
            #expect(wrongMethod.json["reason"] == "MethodNotAllowed")
        }
    }

    @Test(arguments: TestStorage.allCases) func staleResourceVersionOnPutIs409Conflict(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let created = try await client.post(Self.cms, Fixtures.configMap("a")).json
            var first = created
            first["data"] = ["k": "v2"]
            #expect(try await client.put(Self.cms + "/a", first).status == 200)
            var stale = created
            stale["data"] = ["k": "v3"]
            let reply = try await client.put(Self.cms + "/a", stale)
            #expect(reply.status == 409)
            #expect(
                reply.json["message"]
                    == "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your changes to the latest version and try again"
            )
        }
    }

    @Test(arguments: TestStorage.allCases) func putWithoutResourceVersionIsUnconditionalAndKeepsServerFields(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let created = try await client.post(Self.cms, Fixtures.configMap("a")).json
            let reply = try await client.put(Self.cms + "/a", Fixtures.configMap("a", data: ["x": "y"]))
            #expect(reply.status == 200)
            #expect(reply.json["data"] == ["x": "y"])
            #expect(reply.json.value(at: ["metadata", "uid"]) == created.value(at: ["metadata", "uid"]))
            #expect(reply.json.value(at: ["metadata", "creationTimestamp"]) == created.value(at: ["metadata", "creationTimestamp"]))
        }
    }

    @Test(arguments: TestStorage.allCases) func putOfMissingObjectIs404(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane).put(Self.cms + "/ghost", Fixtures.configMap("ghost"))
            #expect(reply.status == 404)
        }
    }

    @Test(arguments: TestStorage.allCases) func putWithMismatchedNameIs400(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            let reply = try await client.put(Self.cms + "/a", Fixtures.configMap("b"))
            #expect(reply.status == 400)
        }
    }

    @Test(arguments: TestStorage.allCases) func mergeJSONAndStrategicPatchesApplyToBuiltins(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a", data: ["a": "1", "b": "2"]))
            let merge = try await client.patch(Self.cms + "/a", ["data": ["b": nil, "c": "3"]])
            #expect(merge.json["data"] == ["a": "1", "c": "3"])
            let json = try await client.patch(Self.cms + "/a", [["op": "replace", "path": "/data/a", "value": "9"]], type: "application/json-patch+json")
            #expect(json.json["data"] == ["a": "9", "c": "3"])
            let strategic = try await client.patch(Self.cms + "/a", ["data": ["d": "4"]], type: "application/strategic-merge-patch+json")
            #expect(strategic.status == 200)
            #expect(strategic.json["data"] == ["a": "9", "c": "3", "d": "4"])
        }
    }

    @Test(arguments: TestStorage.allCases) func patchWithStaleResourceVersionIs409(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            let reply = try await client.patch(Self.cms + "/a", ["metadata": ["resourceVersion": "1"], "data": ["k": "x"]])
            #expect(reply.status == 409)
        }
    }

    @Test(arguments: TestStorage.allCases) func unsupportedPatchTypeIs415ListingAcceptedTypes(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            let reply = try await client.patch(Self.cms + "/a", ["data": ["k": "x"]], type: "application/xml")
            #expect(reply.status == 415)
            #expect(
                reply.json["message"]
                    == "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml"
            )
        }
    }

    @Test(arguments: TestStorage.allCases) func deleteAnswers200WithTheObjectAndThenItIsGone(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            let reply = try await client.delete(Self.cms + "/a")
            #expect(reply.status == 200)
            #expect(reply.json.value(at: ["metadata", "name"]) == "a")
            #expect(try await client.get(Self.cms + "/a").status == 404)
            #expect(try await client.delete(Self.cms + "/a").status == 404)
        }
    }

    @Test(arguments: TestStorage.allCases) func deletePreconditionsAreChecked(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            let reply = try await client.delete(Self.cms + "/a", body: ["preconditions": ["uid": "not-it"]])
            #expect(reply.status == 409)
            #expect(try await client.get(Self.cms + "/a").status == 200)
        }
    }

    @Test(arguments: TestStorage.allCases) func deleteCollectionRemovesMatchingObjectsOnly(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a", labels: ["tier": "x"]))
            _ = try await client.post(Self.cms, Fixtures.configMap("b", labels: ["tier": "y"]))
            let reply = try await client.send(.DELETE, Self.cms + "?labelSelector=tier%3Dx")
            #expect(reply.status == 200)
            #expect(reply.json["items"]?.arrayValue?.count == 1)
            #expect(try await client.get(Self.cms + "/a").status == 404)
            #expect(try await client.get(Self.cms + "/b").status == 200)
        }
    }

    @Test(arguments: TestStorage.allCases) func dryRunValidatesButWritesNothing(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let created = try await client.post(Self.cms, Fixtures.configMap("a"), query: "?dryRun=All")
            #expect(created.status == 201)
            #expect(try await client.get(Self.cms + "/a").status == 404)
            _ = try await client.post(Self.cms, Fixtures.configMap("b"))
            let patched = try await client.send(.PATCH, Self.cms + "/b?dryRun=All", body: (["data": ["k": "dry"]] as JSONValue).jsonData(), contentType: "application/merge-patch+json")
            #expect(patched.json["data"] == ["k": "dry"])
            #expect(try await client.get(Self.cms + "/b").json["data"] == ["k": "v"])
            #expect(try await client.send(.DELETE, Self.cms + "/b?dryRun=All").status == 200)
            #expect(try await client.get(Self.cms + "/b").status == 200)
            #expect(try await client.post(Self.cms, Fixtures.configMap("c"), query: "?dryRun=Some").status == 400)
        }
    }

    @Test(arguments: TestStorage.allCases) func bodyWithoutContentTypeIsReadAsJSON(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane).send(.POST, Self.cms, body: Fixtures.configMap("a").jsonData(), contentType: nil)
            #expect(reply.status == 201)
        }
    }

    @Test(arguments: TestStorage.allCases) func secretsDefaultTypeAndFoldStringData(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let secret: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "stringData": ["user": "admin"]]
            let reply = try await APIClient(plane).post("/api/v1/namespaces/default/secrets", secret)
            #expect(reply.json["type"] == "Opaque")
            #expect(reply.json["data"] == ["user": "YWRtaW4="])
            #expect(reply.json["stringData"] == nil)
        }
    }

    @Test(arguments: TestStorage.allCases) func deletingANamespaceDeletesItsObjects(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "tmp"]])
            _ = try await client.post("/api/v1/namespaces/tmp/configmaps", Fixtures.configMap("a", namespace: "tmp"))
            #expect(try await client.delete("/api/v1/namespaces/tmp").status == 200)
            #expect(try await client.get("/api/v1/namespaces/tmp").status == 404)
            #expect(try await client.get("/api/v1/namespaces/tmp/configmaps/a").status == 404)
        }
    }
}

struct ProtectionTests {
    @Test(arguments: TestStorage.allCases, ["default", "kube-system", "kube-public"])
    func systemNamespacesCannotBeDeleted(_ storage: TestStorage, name: String) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane).delete("/api/v1/namespaces/\(name)")
            #expect(reply.status == 403)
            #expect(reply.json["message"] == .string("namespaces \"\(name)\" is forbidden: this namespace may not be deleted"))
        }
    }

    @Test(arguments: TestStorage.allCases) func immutableConfigMapsRejectDataChanges(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            var cm = Fixtures.configMap("frozen")
            cm["immutable"] = true
            _ = try await client.post(ObjectCRUDTests.cms, cm)
            let reply = try await client.patch(ObjectCRUDTests.cms + "/frozen", ["data": ["k": "changed"]])
            #expect(reply.status == 422)
            #expect(reply.json.value(at: ["details", "causes"])?.arrayValue?.first?["field"] == "data")
            let labels = try await client.patch(ObjectCRUDTests.cms + "/frozen", ["metadata": ["labels": ["ok": "yes"]]])
            #expect(labels.status == 200)
        }
    }
}

struct UnknownFieldTests {
    @Test(arguments: TestStorage.allCases) func builtInKindsRejectUnknownTopLevelFieldsWhenStrict(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            var cm = Fixtures.configMap("a")
            cm["datas"] = ["x": "y"]
            let strict = try await APIClient(plane).post(ObjectCRUDTests.cms, cm, query: "?fieldValidation=Strict")
            #expect(strict.status == 400)
            #expect(strict.json["message"] == "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"datas\"")
            let ignored = try await APIClient(plane).post(ObjectCRUDTests.cms, cm, query: "?fieldValidation=Ignore")
            #expect(ignored.status == 201)
            #expect(ignored.json["datas"] == nil)
        }
    }

    @Test(arguments: TestStorage.allCases) func metadataTyposAreUnknownFieldsForEveryKind(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            var w = Fixtures.widget("w1")
            w.setValue(["a": "b"], at: ["metadata", "lables"])
            let strict = try await client.post(Fixtures.widgets, w, query: "?fieldValidation=Strict")
            #expect(strict.json["message"] == "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"metadata.lables\"")
            let warned = try await client.post(Fixtures.widgets, w, query: "?fieldValidation=Warn")
            #expect(warned.status == 201)
            #expect(warned.headers["Warning"] == ["299 - \"unknown field \\\"metadata.lables\\\"\""])
        }
    }
}

struct NamespaceTerminationTests {
    @Test(arguments: TestStorage.allCases) func namespaceWaitsForFinalizedObjectsAndRefusesNewContentMeanwhile(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post("/api/v1/namespaces", ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "tmp"]])
            var held = Fixtures.configMap("held", namespace: "tmp")
            held.setValue(["example.com/hold"], at: ["metadata", "finalizers"])
            _ = try await client.post("/api/v1/namespaces/tmp/configmaps", held)
            _ = try await client.post("/api/v1/namespaces/tmp/configmaps", Fixtures.configMap("plain", namespace: "tmp"))
            let deleted = try await client.delete("/api/v1/namespaces/tmp")
            #expect(deleted.status == 200)
            #expect(deleted.json.value(at: ["status", "phase"]) == "Terminating")
            #expect(try await client.get("/api/v1/namespaces/tmp/configmaps/plain").status == 404)
            let heldNow = try await client.get("/api/v1/namespaces/tmp/configmaps/held").json
            #expect(heldNow.value(at: ["metadata", "deletionTimestamp"]) != nil)
            let refused = try await client.post("/api/v1/namespaces/tmp/configmaps", Fixtures.configMap("late", namespace: "tmp"))
            #expect(refused.status == 403)
            #expect(refused.json["message"] == "configmaps \"late\" is forbidden: unable to create new content in namespace tmp because it is being terminated")
            #expect(try await client.get("/api/v1/namespaces/tmp").status == 200)
            _ = try await client.patch("/api/v1/namespaces/tmp/configmaps/held", ["metadata": ["finalizers": nil]])
            #expect(try await client.get("/api/v1/namespaces/tmp/configmaps/held").status == 404)
            #expect(try await client.get("/api/v1/namespaces/tmp").status == 404)
        }
    }
}

/// A store that fails every list of one resource, to see how internal errors are reported.
struct FailingListStore: WrappingStore {
    let base: any ObjectStore
    let failing: String
    func list(resource: String, namespace: String?) async throws -> (objects: [StoredObject], revision: Int64) {
        if resource == failing { throw StorageError(.internalError, message: "disk on fire") }
        return try await base.list(resource: resource, namespace: namespace)
    }
}

struct InternalErrorTests {
    @Test(arguments: TestStorage.allCases) func storageFailuresAre500InternalError(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage, configure: { config in
            let open = storage.makeStore()
            config.makeStore = { dir in FailingListStore(base: try await open(dir), failing: "secrets") }
        }) { plane in
            let reply = try await APIClient(plane).get("/api/v1/namespaces/default/secrets")
            #expect(reply.status == 500)
            #expect(reply.json["reason"] == "InternalError")
            #expect(reply.json["message"] == "Internal error occurred: disk on fire")
        }
    }
}

struct MalformedBodyTests {
    @Test(arguments: TestStorage.allCases) func malformedJSONBodiesAndPatchesAre400(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let create = try await client.send(.POST, ObjectCRUDTests.cms, body: Data("{\"kind\":".utf8))
            #expect(create.status == 400)
            #expect(create.json["message"]?.stringValue?.hasPrefix("couldn't get version/kind; json parse error") == true)
            _ = try await client.post(ObjectCRUDTests.cms, Fixtures.configMap("a"))
            let patch = try await client.send(.PATCH, ObjectCRUDTests.cms + "/a", body: Data("[1,".utf8), contentType: "application/merge-patch+json")
            #expect(patch.status == 400)
            let yaml = try await client.send(.POST, ObjectCRUDTests.cms, body: Data("kind: ConfigMap".utf8), contentType: "text/plain")
            #expect(yaml.status == 415)
        }
    }
}
