import FederationAPI
import Foundation
import Testing

/// The Swift types and the CRD schemas describe the same objects: a field added to one side only,
/// a wrong type, a missing enum value or a required/optional mismatch fails here.
struct SchemaAgreementTests {
    @Test(arguments: KindCase.all)
    func fullSampleFitsTheSchema(_ c: KindCase) throws {
        var walker = SchemaWalker()
        walker.check(try c.sample(.full), c.crd.schema.json)
        #expect(walker.errors.isEmpty, "\(c.kind): \(walker.errors)")
    }

    @Test(arguments: KindCase.all)
    func fullSampleReachesEverySchemaField(_ c: KindCase) throws {
        var walker = SchemaWalker()
        walker.check(try c.sample(.full), c.crd.schema.json)
        let missing = SchemaWalker.paths(of: c.crd.schema.json).subtracting(walker.visited).sorted()
        #expect(missing.isEmpty, "\(c.kind): schema fields no Swift property produces: \(missing)")
    }

    @Test(arguments: KindCase.all, SampleSize.allCases)
    func everySampleSizeIsValid(_ c: KindCase, _ size: SampleSize) throws {
        var walker = SchemaWalker()
        walker.check(try c.sample(size), c.crd.schema.json)
        #expect(walker.errors.isEmpty, "\(c.kind) \(size): \(walker.errors)")
    }

    /// A field is required in the schema exactly when Swift cannot decode the object without it
    /// (non-optional properties; lists that decode as empty when absent are optional on both sides).
    @Test(arguments: KindCase.all)
    func requiredFieldsAreExactlyTheNonOptionalSwiftProperties(_ c: KindCase) throws {
        let full = try c.sample(.full)
        var mismatches: [String] = []
        for (path, node) in SchemaWalker.nodes(of: c.crd.schema.json) {
            guard let properties = node["properties"]?.objectValue, let location = Self.location(of: path, in: full),
                let object = Self.get(location, in: full)?.objectValue
            else { continue }
            let required = Set(node["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            for key in properties.keys.sorted() where object[key] != nil {
                var without = full
                Self.remove(key, at: location, in: &without)
                let decodes: Bool
                do {
                    _ = try c.roundTrip(without)
                    decodes = true
                } catch {
                    decodes = false
                }
                if decodes == required.contains(key) {
                    mismatches.append("\(path).\(key): schema \(required.contains(key) ? "requires" : "does not require") it, Swift \(decodes ? "does not" : "does")")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(c.kind): \(mismatches)")
    }

    @Test(arguments: KindCase.all)
    func enumValuesOfTheSchemaDecode(_ c: KindCase) throws {
        // Every enum value the schema allows must decode: put each into the full sample at its path.
        let schema = c.crd.schema.json
        let full = try c.sample(.full)
        for (path, node) in SchemaWalker.nodes(of: schema) {
            guard let values = node["enum"]?.arrayValue, let location = Self.location(of: path, in: full) else { continue }
            for value in values {
                var object = full
                Self.set(value, at: location, in: &object)
                #expect(throws: Never.self, "\(c.kind)\(path) = \(value.jsonString())") { _ = try c.roundTrip(object) }
            }
        }
    }

    @Test func walkerRejectsAFieldTheSchemaLacks() throws {
        var object = try JSONValue(encoding: Samples.fullDatacenter)
        object["spec"]?["color"] = "blue"
        var walker = SchemaWalker()
        walker.check(object, FederationCRDs.datacenter.schema.json)
        #expect(walker.errors == [".spec.color: field is not in the schema"])
    }

    @Test func walkerNoticesASchemaFieldNoSampleProduces() throws {
        var schema = FederationCRDs.datacenter.schema
        schema.properties?["spec"]?.properties?["color"] = .string("A colour.")
        var walker = SchemaWalker()
        walker.check(try JSONValue(encoding: Samples.fullDatacenter), schema.json)
        #expect(SchemaWalker.paths(of: schema.json).subtracting(walker.visited) == [".spec.color"])
    }

    @Test func walkerRejectsWrongTypesBoundsAndEnums() throws {
        var object = try JSONValue(encoding: Samples.fullDatacenter)
        object["spec"]?["priority"] = "high"
        object["spec"]?["mode"] = "Sideways"
        object["spec"]?["healthCheck"]?["periodSeconds"] = 0
        var walker = SchemaWalker()
        walker.check(object, FederationCRDs.datacenter.schema.json)
        #expect(walker.errors.sorted() == [
            #".spec.healthCheck.periodSeconds: below minimum 1.0"#,
            #".spec.mode: "Sideways" is not one of ["Push","Pull"]"#,
            ".spec.priority: string where the schema says integer",
        ])
    }

    // MARK: paths into samples

    /// Turns a schema path such as `.spec.failover[].datacenter` into concrete keys (first array item).
    static func location(of path: String, in object: JSONValue) -> [String]? {
        var keys: [String] = []
        for part in path.split(separator: ".").map(String.init) {
            var name = part
            var arrays = 0
            while name.hasSuffix("[]") { name.removeLast(2); arrays += 1 }
            if name == "{}" { return nil }
            keys.append(name)
            keys += Array(repeating: "#0", count: arrays)
        }
        return get(keys, in: object) == nil ? nil : keys
    }

    static func get(_ keys: [String], in value: JSONValue) -> JSONValue? {
        guard let first = keys.first else { return value }
        let next = first == "#0" ? value.arrayValue?.first : value[first]
        return next.flatMap { get(Array(keys.dropFirst()), in: $0) }
    }

    static func remove(_ key: String, at keys: [String], in value: inout JSONValue) {
        guard var object = get(keys, in: value)?.objectValue else { return }
        object[key] = nil
        set(.object(object), at: keys, in: &value)
    }

    static func set(_ new: JSONValue, at keys: [String], in value: inout JSONValue) {
        guard let first = keys.first else {
            value = new
            return
        }
        if first == "#0", case .array(var items) = value, !items.isEmpty {
            set(new, at: Array(keys.dropFirst()), in: &items[0])
            value = .array(items)
        } else if var child = value[first] {
            set(new, at: Array(keys.dropFirst()), in: &child)
            value[first] = child
        }
    }
}
