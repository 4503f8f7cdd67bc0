import FederationAPI
import Foundation
import Testing

/// The committed `crds/*.yaml` must be exactly what the Swift schema generates.
struct CRDGoldenTests {
    static let crdsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("crds", isDirectory: true)

    @Test(arguments: FederationCRDs.definitions.map(\.kind))
    func committedYAMLEqualsGeneratedCRD(kind: String) throws {
        let crd = try #require(FederationCRDs.definition(forKind: kind))
        let text = try String(contentsOf: Self.crdsDirectory.appendingPathComponent(crd.fileName), encoding: .utf8)
        let committed = try YAML.document(text)
        let difference = JSONDiff.first(committed, crd.json)
        #expect(difference == nil, "crds/\(crd.fileName) differs from the Swift schema (run hack/update-crds.sh): \(difference ?? "")")
    }

    @Test func crdsDirectoryHoldsExactlyTheFourCRDs() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.crdsDirectory.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files == FederationCRDs.definitions.map(\.fileName).sorted())
    }

    @Test func committedFilesStartWithADocumentMarker() throws {
        for crd in FederationCRDs.definitions {
            let text = try String(contentsOf: Self.crdsDirectory.appendingPathComponent(crd.fileName), encoding: .utf8)
            #expect(text.hasPrefix("---\n"), "\(crd.fileName)")
        }
    }
}

/// Finds the first difference between two JSON trees, as a path and both values.
enum JSONDiff {
    static func first(_ a: JSONValue, _ b: JSONValue, path: String = "") -> String? {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            for key in Set(x.keys).union(y.keys).sorted() {
                guard let l = x[key] else { return "\(path).\(key): missing on the left" }
                guard let r = y[key] else { return "\(path).\(key): missing on the right" }
                if let d = first(l, r, path: "\(path).\(key)") { return d }
            }
            return nil
        case (.array(let x), .array(let y)):
            if x.count != y.count { return "\(path): \(x.count) items vs \(y.count)" }
            for (i, (l, r)) in zip(x, y).enumerated() {
                if let d = first(l, r, path: "\(path)[\(i)]") { return d }
            }
            return nil
        default:
            return a == b ? nil : "\(path): \(a.jsonString()) vs \(b.jsonString())"
        }
    }
}
