import FederationAPI
import Foundation
import Testing

/// Each kind has a page in docs/resources/ that names every field of its schema.
struct ResourceDocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every field path under `spec` and `status` (`spec.healthCheck.periodSeconds`, `spec.failover[].datacenter`),
    /// except the fields of conditions (the standard `metav1.Condition`).
    static func paths(_ schema: JSONValue, _ path: String) -> [String] {
        var out = [path]
        if let properties = schema["properties"]?.objectValue {
            for (name, child) in properties { out += paths(child, "\(path).\(name)") }
        } else if let items = schema["items"], let properties = items["properties"]?.objectValue, path != "status.conditions" {
            for (name, child) in properties { out += paths(child, "\(path)[].\(name)") }
        }
        return out
    }

    @Test(arguments: ["Datacenter", "FederationPolicy", "ReplicationRule", "ServiceFailover"]) func everyFieldIsDocumented(_ kind: String) throws {
        let crd = try #require(FederationCRDs.all.first { $0["spec"]?["names"]?["kind"]?.stringValue == kind })
        let schema = try #require(crd["spec"]?["versions"]?.arrayValue?.first?["schema"]?["openAPIV3Schema"])
        let page = Self.root.appendingPathComponent("docs/resources/\(kind.lowercased()).md")
        let text = try String(contentsOf: page, encoding: .utf8)
        #expect(text.hasPrefix("# \(kind) "), "\(page.path) is not the page of \(kind)")
        let missing = ["spec", "status"].flatMap { top in schema["properties"]?[top].map { Self.paths($0, top) } ?? [] }.filter { !text.contains("`\($0)`") }
        #expect(missing.isEmpty, "\(page.lastPathComponent) does not document \(missing.sorted())")
        let index = try String(contentsOf: Self.root.appendingPathComponent("docs/resources.md"), encoding: .utf8)
        #expect(index.contains("(resources/\(kind.lowercased()).md)"), "docs/resources.md does not link the \(kind) page")
    }
}
