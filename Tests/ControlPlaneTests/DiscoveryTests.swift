import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

struct DiscoveryTests {
    static let aggregatedAccept =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"

    @Test(arguments: TestStorage.allCases) func versionReportsMinor32(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let version = try await APIClient(plane).get("/version").json
            #expect(version["major"] == "1")
            #expect(version["minor"] == "32")
            #expect(version["gitVersion"] == "v1.32.0-concord")
        }
    }

    @Test(arguments: TestStorage.allCases) func aggregatedCoreDiscoveryHasOneUnnamedGroup(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane).get("/api", accept: Self.aggregatedAccept)
            #expect(reply.contentType == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
            let items = reply.json["items"]?.arrayValue ?? []
            #expect(items.count == 1)
            #expect(items.first?.value(at: ["metadata", "name"]) == "")
            let resources = items.first?["versions"]?.arrayValue?.first?["resources"]?.arrayValue ?? []
            let namespaces = try #require(resources.first { $0["resource"] == "namespaces" })
            #expect(namespaces["scope"] == "Cluster")
            #expect(namespaces["shortNames"] == ["ns"])
            #expect(namespaces["subresources"]?.arrayValue?.first?["subresource"] == "status")
            let configmaps = try #require(resources.first { $0["resource"] == "configmaps" })
            #expect(configmaps["verbs"] == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])
            #expect(configmaps["responseKind"] == ["group": "", "version": "v1", "kind": "ConfigMap"])
        }
    }

    @Test(arguments: TestStorage.allCases) func aggregatedGroupsIncludeBuiltInsAndNewCRDsAtOnce(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let before = try await client.get("/apis", accept: Self.aggregatedAccept).json
            let names = before["items"]?.arrayValue?.compactMap { $0.value(at: ["metadata", "name"])?.stringValue } ?? []
            #expect(Set(names).isSuperset(of: ["apps", "discovery.k8s.io", "coordination.k8s.io", "events.k8s.io", "apiextensions.k8s.io"]))
            #expect(!names.contains("example.com"))
            try await Fixtures.installWidgets(client)
            let after = try await client.get("/apis", accept: Self.aggregatedAccept).json
            let group = try #require(after["items"]?.arrayValue?.first { $0.value(at: ["metadata", "name"]) == "example.com" })
            let widgets = try #require(group["versions"]?.arrayValue?.first?["resources"]?.arrayValue?.first)
            #expect(widgets["resource"] == "widgets")
            #expect(widgets["singularResource"] == "widget")
            #expect(widgets["shortNames"] == ["wd"])
            #expect(widgets["categories"] == ["concord"])
            #expect(widgets["scope"] == "Namespaced")
        }
    }

    @Test(arguments: TestStorage.allCases) func legacyDiscoveryShapes(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            let api = try await client.get("/api")
            #expect(api.contentType == "application/json")
            #expect(api.json["kind"] == "APIVersions")
            #expect(api.json["versions"] == ["v1"])
            try await Fixtures.installWidgets(client)
            let apis = try await client.get("/apis").json
            #expect(apis["kind"] == "APIGroupList")
            let group = try #require(apis["groups"]?.arrayValue?.first { $0["name"] == "example.com" })
            #expect(group["preferredVersion"] == ["groupVersion": "example.com/v1", "version": "v1"])
            let list = try await client.get("/apis/example.com/v1").json
            #expect(list["kind"] == "APIResourceList")
            #expect(list["groupVersion"] == "example.com/v1")
            let names = list["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
            #expect(names == ["widgets", "widgets/status"])
            let core = try await client.get("/api/v1").json
            #expect(core["resources"]?.arrayValue?.contains { $0["name"] == "namespaces/status" } == true)
            #expect(try await client.get("/apis/example.com").json["kind"] == "APIGroup")
            #expect(try await client.get("/apis/nope.io/v1").status == 404)
        }
    }

    @Test func versionsArePreferredByKubernetesPriority() {
        let sorted = ["v1alpha1", "v2beta1", "v1", "foo", "v2", "v1beta2"].sorted(by: KubeVersion.higherPriority)
        #expect(sorted == ["v2", "v1", "v2beta1", "v1beta2", "v1alpha1", "foo"])
    }
}

struct OpenAPITests {
    @Test(arguments: TestStorage.allCases) func indexListsEveryGroupVersionWithAHash(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            let paths = try await client.get("/openapi/v3").json["paths"]?.objectValue ?? [:]
            for gv in ["api/v1", "apis/apps/v1", "apis/apiextensions.k8s.io/v1", "apis/example.com/v1"] {
                let url = paths[gv]?["serverRelativeURL"]?.stringValue ?? ""
                #expect(url.hasPrefix("/openapi/v3/\(gv)?hash="))
            }
        }
    }

    @Test(arguments: TestStorage.allCases) func groupVersionDocumentCarriesPatchGVKWithFieldValidationAndSchemas(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            let doc = try await client.get("/openapi/v3/apis/example.com/v1?hash=x").json
            #expect(doc["openapi"] == "3.0.0")
            let patch = try #require(doc.value(at: ["paths", "/apis/example.com/v1/namespaces/{namespace}/widgets/{name}", "patch"]))
            #expect(patch["x-kubernetes-group-version-kind"] == ["group": "example.com", "version": "v1", "kind": "Widget"])
            #expect(patch["parameters"]?.arrayValue?.contains { $0["name"] == "fieldValidation" } == true)
            let content = patch.value(at: ["requestBody", "content"])?.objectValue ?? [:]
            #expect(content["application/strategic-merge-patch+json"] == nil)
            let schema = try #require(doc.value(at: ["components", "schemas", "com.example.v1.Widget"]))
            #expect(schema["x-kubernetes-group-version-kind"] == [["group": "example.com", "version": "v1", "kind": "Widget"]])
            #expect(schema.value(at: ["properties", "spec", "properties", "mode", "enum"]) == ["Push", "Pull"])
            #expect(schema.value(at: ["properties", "metadata", "allOf"]) == [["$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]])
            #expect(doc.value(at: ["components", "schemas", "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]) != nil)
            let list = try #require(doc.value(at: ["components", "schemas", "com.example.v1.WidgetList"]))
            #expect(list["x-kubernetes-group-version-kind"] == [["group": "example.com", "version": "v1", "kind": "WidgetList"]])
        }
    }

    @Test(arguments: TestStorage.allCases) func coreDocumentDescribesBuiltIns(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let doc = try await APIClient(plane).get("/openapi/v3/api/v1").json
            let cm = try #require(doc.value(at: ["components", "schemas", "io.k8s.api.core.v1.ConfigMap"]))
            #expect(cm.value(at: ["properties", "data", "type"]) == "object")
            #expect(doc.value(at: ["paths", "/api/v1/namespaces/{name}", "patch", "x-kubernetes-group-version-kind"]) == ["group": "", "version": "v1", "kind": "Namespace"])
            #expect(try await APIClient(plane).get("/openapi/v3/apis/nope.io/v1").status == 404)
        }
    }

    @Test(arguments: TestStorage.allCases) func hashChangesWhenACRDIsInstalled(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await Fixtures.installWidgets(client)
            let before = try await client.get("/openapi/v3").json.value(at: ["paths", "apis/example.com/v1", "serverRelativeURL"])
            var crd = try await client.get(CustomResourceTests.crds + "/widgets.example.com").json
            var version = try #require(crd.value(at: ["spec", "versions"])?.arrayValue?.first)
            version.setValue("A changed description.", at: ["schema", "openAPIV3Schema", "description"])
            crd.setValue([version], at: ["spec", "versions"])
            #expect(try await client.put(CustomResourceTests.crds + "/widgets.example.com", crd).status == 200)
            let after = try await client.get("/openapi/v3").json.value(at: ["paths", "apis/example.com/v1", "serverRelativeURL"])
            #expect(before != after)
        }
    }

    @Test(arguments: TestStorage.allCases) func openAPIV2IsTheEmptyProtobufDocument(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane).get("/openapi/v2", accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")
            #expect(reply.contentType == "application/octet-stream")
            let expected: [UInt8] = [
                0x0a, 0x03, 0x32, 0x2e, 0x30, 0x12, 0x15, 0x0a, 0x0a, 0x4b, 0x75, 0x62, 0x65, 0x72, 0x6e, 0x65, 0x74, 0x65, 0x73,
                0x12, 0x07, 0x76, 0x31, 0x2e, 0x33, 0x32, 0x2e, 0x30, 0x42, 0x00,
            ]
            #expect([UInt8](reply.body) == expected)
        }
    }
}
