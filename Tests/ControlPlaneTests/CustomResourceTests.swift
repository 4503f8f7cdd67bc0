import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

struct CustomResourceTests {
    static let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
    let widgets = Fixtures.widgets

    @Test(arguments: TestStorage.allCases) func installedCRDIsEstablishedWithAcceptedNamesAndStoredVersions(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            let crd = try await client.get(Self.crds + "/widgets.example.com").json
            #expect(crd.value(at: ["status", "acceptedNames", "kind"]) == "Widget")
            #expect(crd.value(at: ["status", "acceptedNames", "listKind"]) == "WidgetList")
            #expect(crd.value(at: ["status", "storedVersions"]) == ["v1"])
            let conditions = crd.value(at: ["status", "conditions"])?.arrayValue ?? []
            for type in ["NamesAccepted", "Established"] {
                #expect(conditions.contains { $0["type"]?.stringValue == type && $0["status"] == "True" })
            }
            #expect(crd.value(at: ["spec", "conversion", "strategy"]) == "None")
        }
    }

    @Test(arguments: TestStorage.allCases) func invalidCRDIs422(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            var crd = Fixtures.widgetCRD
            crd.setValue("wrong.example.com", at: ["metadata", "name"])
            let reply = try await APIClient(plane).post(Self.crds, crd)
            #expect(reply.status == 422)
            #expect(reply.json.value(at: ["details", "causes"])?.arrayValue?.first?["field"] == "metadata.name")
        }
    }

    @Test(arguments: TestStorage.allCases) func customResourcesAreServedAtOnceAndDeletedWithTheirCRD(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            #expect(try await client.get(widgets).status == 404)
            try await Fixtures.installWidgets(client)
            let created = try await client.post(widgets, Fixtures.widget("w1"))
            #expect(created.status == 201)
            #expect(try await client.get(widgets).json["kind"] == "WidgetList")
            #expect(try await client.delete(Self.crds + "/widgets.example.com").status == 200)
            #expect(try await client.get(widgets).status == 404)
            try await Fixtures.installWidgets(client)
            let relisted = try await client.get(widgets).json
            #expect(relisted["items"] == [])
        }
    }

    @Test(arguments: TestStorage.allCases) func schemaDefaultsAndPrunesOnCreate(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            let reply = try await client.send(
                .POST, widgets + "?fieldValidation=Ignore", body: Fixtures.widget("w1", extra: ["bogus": 1, "settings": ["free": ["form": true]]]).jsonData())
            #expect(reply.status == 201)
            let spec = reply.json["spec"]
            #expect(spec?["mode"] == "Push")
            #expect(spec?["limits"] == ["cpu": 2])
            #expect(spec?["bogus"] == nil)
            #expect(spec?["settings"] == ["free": ["form": true]])
        }
    }

    @Test(arguments: TestStorage.allCases) func strictFieldValidationRejectsUnknownFieldsWithKubeMessage(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            let reply = try await client.send(
                .POST, widgets + "?fieldValidation=Strict", body: Fixtures.widget("w1", extra: ["bogus": 1, "other": 2]).jsonData())
            #expect(reply.status == 400)
            #expect(
                reply.json["message"]
                    == "Widget in version \"v1\" cannot be handled as a Widget: strict decoding error: unknown field \"spec.bogus\", unknown field \"spec.other\""
            )
        }
    }

    @Test(arguments: TestStorage.allCases) func warnFieldValidationCreatesAndSendsWarningHeaders(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            let reply = try await client.send(.POST, widgets + "?fieldValidation=Warn", body: Fixtures.widget("w1", extra: ["bogus": 1]).jsonData())
            #expect(reply.status == 201)
            #expect(reply.headers["Warning"] == ["299 - \"unknown field \\\"spec.bogus\\\"\""])
            #expect(reply.json.value(at: ["spec", "bogus"]) == nil)
        }
    }

    @Test(arguments: TestStorage.allCases) func invalidValuesAre422WithOneCausePerField(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            let reply = try await client.post(widgets, Fixtures.widget("bad", size: -1, extra: ["mode": "Sideways"]))
            #expect(reply.status == 422)
            #expect(reply.json.value(at: ["details", "kind"]) == "Widget")
            #expect(reply.json.value(at: ["details", "group"]) == "example.com")
            let causes = reply.json.value(at: ["details", "causes"])?.arrayValue ?? []
            #expect(
                causes == [
                    ["reason": "FieldValueNotSupported", "message": "Unsupported value: \"Sideways\": supported values: \"Push\", \"Pull\"", "field": "spec.mode"],
                    ["reason": "FieldValueInvalid", "message": "Invalid value: -1: spec.size in body should be greater than or equal to 0", "field": "spec.size"],
                ])
            #expect(reply.json["message"]?.stringValue?.hasPrefix("Widget.example.com \"bad\" is invalid: [spec.mode: Unsupported value") == true)
        }
    }

    @Test(arguments: TestStorage.allCases) func missingRequiredFieldIs422(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            let reply = try await client.post(widgets, ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "x"], "spec": [:]])
            #expect(reply.status == 422)
            #expect(reply.json.value(at: ["details", "causes"]) == [["reason": "FieldValueRequired", "message": "Required value", "field": "spec.size"]])
        }
    }

    @Test(arguments: TestStorage.allCases) func mainEndpointIgnoresStatusAndStatusEndpointChangesOnlyStatus(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            var w = Fixtures.widget("w1")
            w["status"] = ["phase": "Ready"]
            let created = try await client.post(widgets, w).json
            #expect(created["status"] == nil)
            let viaMain = try await client.patch(widgets + "/w1", ["status": ["phase": "Ready"]])
            #expect(viaMain.json["status"] == nil)
            let viaStatus = try await client.patch(widgets + "/w1/status", ["status": ["phase": "Ready"], "spec": ["size": 99]])
            #expect(viaStatus.json["status"] == ["phase": "Ready"])
            #expect(viaStatus.json.value(at: ["spec", "size"]) == 3)
            #expect(viaStatus.json.value(at: ["metadata", "generation"]) == 1)
            let badStatus = try await client.patch(widgets + "/w1/status", ["status": ["phase": "Exploded"]])
            #expect(badStatus.status == 422)
            #expect(badStatus.json.value(at: ["details", "causes"])?.arrayValue?.first?["field"] == "status.phase")
        }
    }

    @Test(arguments: TestStorage.allCases) func generationMovesOnlyWithSpecChanges(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            _ = try await client.post(widgets, Fixtures.widget("w1"))
            let labelled = try await client.patch(widgets + "/w1", ["metadata": ["labels": ["a": "b"]]])
            #expect(labelled.json.value(at: ["metadata", "generation"]) == 1)
            let resized = try await client.patch(widgets + "/w1", ["spec": ["size": 7]])
            #expect(resized.json.value(at: ["metadata", "generation"]) == 2)
            let same = try await client.patch(widgets + "/w1", ["spec": ["size": 7]])
            #expect(same.json.value(at: ["metadata", "generation"]) == 2)
            #expect(same.json.value(at: ["metadata", "resourceVersion"]) == resized.json.value(at: ["metadata", "resourceVersion"]))
        }
    }

    @Test(arguments: TestStorage.allCases) func strategicMergePatchOnCustomResourceIs415WithKubeMessage(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            _ = try await client.post(widgets, Fixtures.widget("w1"))
            let reply = try await client.patch(widgets + "/w1", ["spec": ["size": 2]], type: "application/strategic-merge-patch+json")
            #expect(reply.status == 415)
            #expect(
                reply.json["message"]
                    == "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")
        }
    }

    @Test(arguments: TestStorage.allCases) func finalizersHoldDeletionUntilRemoved(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            var w = Fixtures.widget("w1")
            w.setValue(["example.com/hold"], at: ["metadata", "finalizers"])
            _ = try await client.post(widgets, w)
            let deleted = try await client.delete(widgets + "/w1")
            #expect(deleted.status == 200)
            #expect(deleted.json.value(at: ["metadata", "deletionTimestamp"]) != nil)
            #expect(deleted.json.value(at: ["metadata", "deletionGracePeriodSeconds"]) == 0)
            #expect(try await client.get(widgets + "/w1").status == 200)
            let again = try await client.delete(widgets + "/w1")
            #expect(again.json.value(at: ["metadata", "deletionTimestamp"]) == deleted.json.value(at: ["metadata", "deletionTimestamp"]))
            let adding = try await client.patch(widgets + "/w1", ["metadata": ["finalizers": ["example.com/hold", "x/y"]]])
            #expect(adding.status == 422)
            #expect(adding.json.value(at: ["details", "causes"])?.arrayValue?.first?["field"] == "metadata.finalizers")
            let released = try await client.patch(widgets + "/w1", ["metadata": ["finalizers": nil]])
            #expect(released.status == 200)
            #expect(try await client.get(widgets + "/w1").status == 404)
        }
    }

    @Test(arguments: TestStorage.allCases) func objectsAreServedInEveryVersionOfTheirCRD(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            var crd = Fixtures.widgetCRD
            var v1 = crd.value(at: ["spec", "versions"])!.arrayValue![0]
            var v2 = v1
            v2["name"] = "v2"
            v2["storage"] = false
            v1["storage"] = true
            crd.setValue([v1, v2], at: ["spec", "versions"])
            #expect(try await client.post(Self.crds, crd).status == 201)
            _ = try await client.post(widgets, Fixtures.widget("w1"))
            let other = try await client.get("/apis/example.com/v2/namespaces/default/widgets/w1")
            #expect(other.json["apiVersion"] == "example.com/v2")
        }
    }

    @Test(arguments: TestStorage.allCases) func clusterScopedCustomResourcesLiveOutsideNamespaces(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            var crd = Fixtures.widgetCRD
            crd.setValue("Cluster", at: ["spec", "scope"])
            #expect(try await client.post(Self.crds, crd).status == 201)
            let created = try await client.post("/apis/example.com/v1/widgets", Fixtures.widget("global"))
            #expect(created.status == 201)
            #expect(created.json.value(at: ["metadata", "namespace"]) == nil)
            #expect(try await client.get("/apis/example.com/v1/widgets/global").status == 200)
            #expect(try await client.get("/apis/example.com/v1/namespaces/default/widgets").status == 404)
        }
    }
}
