import FederationAPI
import Foundation
import Testing

/// What `kubectl get`, `kubectl explain` and the API server see in each CRD.
struct CRDShapeTests {
    struct Names: Sendable, CustomTestStringConvertible {
        let kind, plural, singular, shortName, scope: String
        var testDescription: String { kind }
    }

    static let names: [Names] = [
        Names(kind: "Datacenter", plural: "datacenters", singular: "datacenter", shortName: "dc", scope: "Cluster"),
        Names(kind: "FederationPolicy", plural: "federationpolicies", singular: "federationpolicy", shortName: "fp", scope: "Cluster"),
        Names(kind: "ReplicationRule", plural: "replicationrules", singular: "replicationrule", shortName: "rr", scope: "Namespaced"),
        Names(kind: "ServiceFailover", plural: "servicefailovers", singular: "servicefailover", shortName: "sf", scope: "Namespaced"),
    ]

    @Test(arguments: names)
    func namesScopeAndVersion(_ n: Names) throws {
        let crd = try #require(FederationCRDs.definition(forKind: n.kind)).json
        #expect(crd["apiVersion"] == "apiextensions.k8s.io/v1")
        #expect(crd["kind"] == "CustomResourceDefinition")
        #expect(crd["metadata"]?["name"] == .string("\(n.plural).federation.concord.dev"))
        let spec = try #require(crd["spec"])
        #expect(spec["group"] == "federation.concord.dev")
        #expect(spec["scope"] == .string(n.scope))
        #expect(spec["names"] == [
            "kind": .string(n.kind), "listKind": .string(n.kind + "List"), "plural": .string(n.plural),
            "singular": .string(n.singular), "shortNames": [.string(n.shortName)], "categories": ["concord"],
        ])
        let versions = try #require(spec["versions"]?.arrayValue)
        #expect(versions.count == 1)
        #expect(versions[0]["name"] == "v1alpha1")
        #expect(versions[0]["served"] == true)
        #expect(versions[0]["storage"] == true)
        #expect(versions[0]["subresources"] == ["status": [:]])
    }

    @Test func typesAgreeWithTheirCRDs() {
        #expect(Datacenter.groupVersionResource == GroupVersionResource(group: "federation.concord.dev", version: "v1alpha1", resource: "datacenters"))
        #expect(FederationPolicy.groupVersionResource.resource == FederationCRDs.federationPolicy.plural)
        #expect(ReplicationRule.groupVersionResource.resource == FederationCRDs.replicationRule.plural)
        #expect(ServiceFailover.groupVersionResource.resource == FederationCRDs.serviceFailover.plural)
        #expect(Datacenter.isNamespaced == FederationCRDs.datacenter.namespaced)
        #expect(FederationPolicy.isNamespaced == FederationCRDs.federationPolicy.namespaced)
        #expect(ReplicationRule.isNamespaced == FederationCRDs.replicationRule.namespaced)
        #expect(ServiceFailover.isNamespaced == FederationCRDs.serviceFailover.namespaced)
        #expect(Datacenter.apiVersion == "federation.concord.dev/v1alpha1")
    }

    @Test func datacenterPrinterColumns() throws {
        let columns = FederationCRDs.datacenter.printerColumns.filter { $0.priority == 0 }
        #expect(columns.map(\.name) == ["Region", "Role", "Phase", "Latency(ms)", "Age"])
        #expect(columns.map(\.jsonPath) == [".spec.region", ".status.role", ".status.phase", ".status.latencyMilliseconds", ".metadata.creationTimestamp"])
        #expect(columns.map(\.type) == ["string", "string", "string", "integer", "date"])
    }

    @Test func otherKindsShowPrimaryEpochAndReadiness() {
        #expect(FederationCRDs.federationPolicy.printerColumns.filter { $0.priority == 0 }.map(\.name) == ["Primary", "Epoch", "Ready-Members", "Ready", "Age"])
        #expect(FederationCRDs.replicationRule.printerColumns.filter { $0.priority == 0 }.map(\.name) == ["Source", "Objects", "Synced", "Ready", "Age"])
        #expect(FederationCRDs.serviceFailover.printerColumns.filter { $0.priority == 0 }.map(\.name) == ["Service", "Primary", "Active", "Phase", "Ready", "Age"])
        #expect(PrinterColumn.condition("Ready").jsonPath == #".status.conditions[?(@.type=="Ready")].status"#)
    }

    /// One JSONPath, whose first result is all the API server prints: a field both modes fill.
    @Test func serviceFailoversShowWhereTheyRunInBothModes() throws {
        let active = try #require(FederationCRDs.serviceFailover.printerColumns.first { $0.name == "Active" })
        #expect(active.jsonPath == ".status.placement")
        let schema = FederationCRDs.serviceFailover.schema.json
        #expect(schema.value(at: ["properties", "status", "properties", "placement", "type"]) == "string", "in the structural schema, so not pruned")
        var activeActive = Samples.fullServiceFailover
        activeActive.spec.mode = .activeActive
        activeActive.status?.activeDatacenter = nil
        activeActive.status?.placement = "eu-central=3,us-east=6,us-west=3"
        #expect(JSONPathLite.evaluate(active.jsonPath, in: try JSONValue(encoding: activeActive)) == "eu-central=3,us-east=6,us-west=3")
        #expect(JSONPathLite.evaluate(active.jsonPath, in: try JSONValue(encoding: Samples.fullServiceFailover)) == "us-west")
    }

    @Test(arguments: KindCase.all)
    func printerColumnsPointAtFieldsTheTypesProduce(_ c: KindCase) throws {
        var object = try c.sample(.full)
        object["metadata"]?["creationTimestamp"] = .string(Samples.time.description)
        for column in c.crd.printerColumns {
            let value = try #require(JSONPathLite.evaluate(column.jsonPath, in: object), "\(c.kind) column \(column.name): \(column.jsonPath)")
            let expected: String
            switch value {
            case .int: expected = "integer"
            case .double: expected = "number"
            case .bool: expected = "boolean"
            default: expected = column.type == "date" ? "date" : "string"
            }
            #expect(column.type == expected, "\(c.kind) column \(column.name)")
        }
    }

    @Test(arguments: KindCase.all)
    func everyNodeIsTypedAndDescribed(_ c: KindCase) {
        for (path, node) in SchemaWalker.nodes(of: c.crd.schema.json) where path != ".metadata" {
            #expect(node["type"] != nil, "\(c.kind)\(path) has no type (not structural)")
            #expect(node["description"]?.stringValue?.isEmpty == false, "\(c.kind)\(path) has no description for kubectl explain")
        }
    }

    @Test(arguments: KindCase.all)
    func metadataIsAPlainObjectAndSpecIsRequired(_ c: KindCase) {
        let schema = c.crd.schema.json
        #expect(schema["properties"]?["metadata"] == ["type": "object"])
        #expect(schema["required"] == ["spec"])
        #expect(schema["properties"]?["apiVersion"]?["type"] == "string")
        #expect(schema["properties"]?["kind"]?["type"] == "string")
    }

    @Test(arguments: KindCase.all)
    func conditionsAreAMapListOfMetav1Conditions(_ c: KindCase) throws {
        let conditions = try #require(c.crd.schema.json.value(at: ["properties", "status", "properties", "conditions"]))
        #expect(conditions["type"] == "array")
        #expect(conditions["x-kubernetes-list-type"] == "map")
        #expect(conditions["x-kubernetes-list-map-keys"] == ["type"])
        let item = try #require(conditions["items"])
        #expect(item["required"] == ["lastTransitionTime", "message", "reason", "status", "type"])
        #expect(item["properties"]?["status"]?["enum"] == ["True", "False", "Unknown"])
        #expect(item["properties"]?["lastTransitionTime"]?["format"] == "date-time")
        #expect(item["properties"]?["reason"]?["minLength"] == 1)
        #expect(item["properties"]?["observedGeneration"]?["format"] == "int64")
        #expect(c.crd.schema.json.value(at: ["properties", "status", "properties", "observedGeneration", "type"]) == "integer")
    }

    @Test(arguments: KindCase.all)
    func mapListKeysAreRequiredInTheirItems(_ c: KindCase) {
        for (path, node) in SchemaWalker.nodes(of: c.crd.schema.json) where node["x-kubernetes-list-type"] == "map" {
            let keys = node["x-kubernetes-list-map-keys"]?.arrayValue ?? []
            let required = node["items"]?["required"]?.arrayValue ?? []
            #expect(!keys.isEmpty, "\(c.kind)\(path)")
            for key in keys { #expect(required.contains(key), "\(c.kind)\(path): map key \(key.jsonString()) must be required") }
        }
    }

    @Test(arguments: KindCase.all)
    func defaultsAreValidAgainstTheirOwnSchema(_ c: KindCase) {
        for (path, node) in SchemaWalker.nodes(of: c.crd.schema.json) {
            guard let value = node["default"] else { continue }
            var walker = SchemaWalker()
            walker.check(value, node, path: path)
            #expect(walker.errors.isEmpty, "\(c.kind)\(path): \(walker.errors)")
        }
    }

    @Test func boundsFromTheDesign() throws {
        let hc = try #require(FederationCRDs.datacenter.schema.json.value(at: ["properties", "spec", "properties", "healthCheck", "properties"]))
        #expect(hc["periodSeconds"]?["minimum"] == 1)
        #expect(hc["timeoutSeconds"]?["minimum"] == 1)
        #expect(hc["failureThreshold"]?["minimum"] == 1)
        #expect(hc["successThreshold"]?["minimum"] == 1)
        let priority = FederationCRDs.datacenter.schema.json.value(at: ["properties", "spec", "properties", "priority"])
        #expect(priority?["minimum"] == 0)
        #expect(priority?["maximum"] == 1000)
        let history = FederationCRDs.federationPolicy.schema.json.value(at: ["properties", "status", "properties", "history"])
        #expect(history?["maxItems"] == .int(Int64(FederationPolicy.historyLimit)))
        let failover = FederationCRDs.serviceFailover.schema.json.value(at: ["properties", "spec", "properties", "failover"])
        // Optional and possibly empty: ActiveActive has no failover list; ActivePassive's need of one is the controller's check.
        #expect(failover?["minItems"] == nil)
        #expect(FederationCRDs.serviceFailover.schema.json.value(at: ["properties", "spec", "required"]) == ["primary", "service"])
        #expect(failover?["x-kubernetes-list-map-keys"] == ["datacenter"])
    }
}

/// Evaluates the simple JSONPath forms printer columns use: `.a.b` and `.a[?(@.k=="v")].b`.
enum JSONPathLite {
    static func evaluate(_ path: String, in object: JSONValue) -> JSONValue? {
        var current: JSONValue? = object
        for segment in segments(path) {
            if let open = segment.firstIndex(of: "[") {
                let field = String(segment[..<open])
                let filter = segment[open...]  // [?(@.type=="Ready")]
                guard let eq = filter.range(of: "=="), let at = filter.range(of: "@.") else { return nil }
                let key = String(filter[at.upperBound..<eq.lowerBound])
                let value = filter[eq.upperBound...].drop { $0 == "\"" }.prefix { $0 != "\"" }
                current = current?[field]?.arrayValue?.first { $0[key] == .string(String(value)) }
            } else {
                current = current?[segment]
            }
        }
        return current
    }

    /// Splits at dots outside brackets.
    static func segments(_ path: String) -> [String] {
        var out: [String] = [], current = "", depth = 0
        for ch in path {
            if ch == "[" { depth += 1 }
            if ch == "]" { depth -= 1 }
            if ch == ".", depth == 0 {
                if !current.isEmpty { out.append(current) }
                current = ""
            } else {
                current.append(ch)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
