import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

struct TableRenderingTests {
    @Test(arguments: [
        (0, "0s"), (8, "8s"), (119, "119s"), (120, "2m"), (330, "5m30s"), (600, "10m"), (179 * 60, "179m"),
        (3 * 3600, "3h"), (3 * 3600 + 5 * 60, "3h5m"), (10 * 3600, "10h"), (2 * 86400, "2d"), (3 * 86400 + 4 * 3600, "3d4h"),
        (30 * 86400, "30d"), (800 * 86400, "2y70d"), (-5, "0s"),
    ])
    func agesRenderLikeKubectl(seconds: Int, text: String) {
        #expect(RFC3339.parse("2026-01-01T00:00:00Z")?.timeIntervalSince1970 == 1_767_225_600)
        #expect(TableAge.age(of: "2026-01-01T00:00:00Z", now: Date(timeIntervalSince1970: 1_767_225_600 + Double(seconds))) == text)
    }

    static let object: JSONValue = [
        "metadata": ["name": "w1", "namespace": "default", "labels": ["app": "demo"], "creationTimestamp": "2026-01-01T00:00:00Z"],
        "spec": ["size": 4, "color": "red", "tags": ["a", "b"]],
        "status": ["conditions": [["type": "Synced", "status": "False"], ["type": "Ready", "status": "True"]]],
    ]

    @Test(arguments: [
        (".spec.size", ["4"]), (".metadata.name", ["w1"]), (".spec.tags[*]", ["a", "b"]), (".spec.tags[1]", ["b"]),
        (".status.conditions[?(@.type==\"Ready\")].status", ["True"]), (".status.conditions[?(@.type=='Synced')].status", ["False"]),
        ("{.spec.color}", ["red"]), (".spec.missing", []), (".metadata.labels.app", ["demo"]),
    ])
    func jsonPathSelectsValues(path: String, values: [String]) {
        #expect(JSONPathExpression(path).evaluate(Self.object).compactMap(JSONPathExpression.scalarText) == values)
    }

    static let request = TableRequest(accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")!

    @Test func customResourceTableUsesPrinterColumnsAndPartialMetadata() throws {
        let crd = CustomResourceDefinitions.definitions(from: Fixtures.widgetCRD)[0]
        let now = try #require(RFC3339.parse("2026-01-01T00:00:08Z"))
        let table = TableRenderer.table(for: [Self.object], definition: crd, request: Self.request, now: now, resourceVersion: "7")
        #expect(table["kind"] == "Table" && table["apiVersion"] == "meta.k8s.io/v1")
        #expect(table.value(at: ["metadata", "resourceVersion"]) == "7")
        let columns = table["columnDefinitions"]?.arrayValue ?? []
        #expect(columns.map { $0["name"] } == ["Name", "Size", "Ready", "Color", "Age"])
        #expect(columns.map { $0["priority"] } == [0, 0, 0, 1, 0])
        let row = try #require(table["rows"]?.arrayValue?.first)
        #expect(row["cells"] == ["w1", 4, "True", "red", "8s"])
        #expect(row.value(at: ["object", "kind"]) == "PartialObjectMetadata")
        #expect(row.value(at: ["object", "metadata", "labels"]) == ["app": "demo"])
    }

    @Test func missingColumnValuesAreNull() {
        let crd = CustomResourceDefinitions.definitions(from: Fixtures.widgetCRD)[0]
        let table = TableRenderer.table(for: [["metadata": ["name": "x"], "spec": ["size": 1]]], definition: crd, request: Self.request, now: Date(), resourceVersion: "1")
        #expect(table["rows"]?.arrayValue?.first?["cells"]?.arrayValue?[2] == .null)
    }

    @Test func crdWithoutPrinterColumnsShowsNameAndAge() {
        var crd = CustomResourceDefinitions.definitions(from: Fixtures.widgetCRD)[0]
        crd.printerColumns = nil
        let table = TableRenderer.table(for: [], definition: crd, request: Self.request, now: Date(), resourceVersion: "1")
        #expect(table["columnDefinitions"]?.arrayValue?.map { $0["name"] } == ["Name", "Age"])
    }

    @Test(arguments: [
        ("configmaps", ["Name", "Data", "Age"]), ("namespaces", ["Name", "Status", "Age"]),
        ("customresourcedefinitions", ["Name", "Created At"]), ("secrets", ["Name", "Type", "Data", "Age"]),
        ("leases", ["Name", "Holder", "Age"]), ("clusterroles", ["Name", "Created At"]), ("serviceaccounts", ["Name", "Secrets", "Age"]),
        ("rolebindings", ["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"]),
    ])
    func builtInLayouts(plural: String, columns: [String]) throws {
        let definition = try #require(BuiltinResources.all.first { $0.plural == plural })
        let table = TableRenderer.table(for: [], definition: definition, request: Self.request, now: Date(), resourceVersion: "1")
        #expect(table["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == columns)
    }

    @Test func configMapDataCountsKeys() throws {
        let definition = try #require(BuiltinResources.all.first { $0.plural == "configmaps" })
        let cm: JSONValue = ["metadata": ["name": "c", "creationTimestamp": "2026-01-01T00:00:00Z"], "data": ["a": "1", "b": "2"], "binaryData": ["c": "AA=="]]
        let now = try #require(RFC3339.parse("2026-01-01T03:00:00Z"))
        let table = TableRenderer.table(for: [cm], definition: definition, request: Self.request, now: now, resourceVersion: "1")
        #expect(table["rows"]?.arrayValue?.first?["cells"] == ["c", 3, "3h"])
    }

    @Test(arguments: [
        ("application/json;as=Table;v=v1;g=meta.k8s.io,application/json", "meta.k8s.io/v1"),
        ("application/json;as=Table;v=v1beta1;g=meta.k8s.io", "meta.k8s.io/v1beta1"),
    ])
    func tableAcceptIsRecognised(accept: String, version: String) {
        #expect(TableRequest(accept: accept)?.apiVersion == version)
    }

    @Test func plainJSONAcceptIsNotATable() throws {
        #expect(TableRequest(accept: "application/json") == nil)
        // `?includeObject=`: kubectl asks for Object to sort on fields outside metadata.
        let accept = "application/json;as=Table;v=v1;g=meta.k8s.io"
        #expect(try TableRequest(accept: accept, includeObject: nil)?.includeObject == .metadata)
        #expect(try TableRequest(accept: accept, includeObject: "Object")?.includeObject == .object)
        #expect(try TableRequest(accept: accept, includeObject: "None")?.includeObject == TableRequest.IncludeObject.none)
        #expect(throws: APIError.self) { try TableRequest(accept: accept, includeObject: "Everything") }
        #expect(TableRequest(accept: nil) == nil)
    }
}
