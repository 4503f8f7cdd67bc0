import Foundation
import Testing

/// KubernetesAPI, FederationAPI and FederationCore depend on Foundation alone, and on each other only
/// downwards: FederationCore → FederationAPI → KubernetesAPI. KubeClient and ControllerRuntime import
/// no federation module.
struct ModuleImportTests {
    static let sourcesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources", isDirectory: true)

    /// The modules each target's files may import.
    static let allowed: [String: Set<String>] = [
        "KubernetesAPI": ["Foundation"],
        "FederationAPI": ["Foundation", "KubernetesAPI"],
        "FederationCore": ["Foundation", "KubernetesAPI", "FederationAPI"],
    ]

    /// The modules a Swift source imports, with any attributes, access level or declaration kind stripped:
    /// `@_exported import A`, `public import B`, `import struct C.D` give A, B and C.
    static func importedModules(in source: String) -> [String] {
        let modifiers: Set<String> = ["public", "package", "internal", "fileprivate", "private"]
        let kinds: Set<String> = ["typealias", "struct", "class", "enum", "protocol", "let", "var", "func"]
        var modules: [String] = []
        for line in source.split(whereSeparator: \.isNewline) {
            var words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            while let first = words.first, first.hasPrefix("@") || modifiers.contains(first) { words.removeFirst() }
            guard words.first == "import", words.count >= 2 else { continue }
            let path = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
            modules.append(String(path.split(separator: ".").first ?? ""))
        }
        return modules
    }

    /// Every Swift file of a target (at least one).
    static func swiftFiles(of target: String) throws -> [URL] {
        let directory = sourcesDirectory.appendingPathComponent(target, isDirectory: true)
        let enumerator = try #require(FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil))
        let files = enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(!files.isEmpty, "no Swift files under \(directory.path)")
        return files
    }

    @Test func parserFindsEveryFormOfImport() {
        let source = """
            import Foundation
            @_exported import KubernetesAPI
            public import Logging
            @preconcurrency internal import NIOCore
            import struct Collections.Deque
              import Synchronization
            /// import Nothing (prose in a comment)
            let imported = "import Nothing"
            """
        #expect(Self.importedModules(in: source) == ["Foundation", "KubernetesAPI", "Logging", "NIOCore", "Collections", "Synchronization"])
    }

    @Test(arguments: allowed.keys.sorted())
    func targetImportsOnlyFoundationAndLowerLayers(target: String) throws {
        let files = try Self.swiftFiles(of: target)
        let allowed = try #require(Self.allowed[target])
        for file in files {
            let source = try String(contentsOf: file, encoding: .utf8)
            let forbidden = Self.importedModules(in: source).filter { !allowed.contains($0) }
            #expect(forbidden.isEmpty, "\(target)/\(file.lastPathComponent) imports \(forbidden); \(target) may import only \(allowed.sorted())")
        }
    }

    /// The Kubernetes client and the controller runtime know nothing of federation: no file of
    /// theirs imports a federation module (which their targets do not depend on either).
    @Test(arguments: ["KubeClient", "ControllerRuntime"])
    func kubernetesLayersImportNoFederationModule(target: String) throws {
        let federation: Set<String> = ["FederationAPI", "FederationCore", "FederationControllers"]
        let files = try Self.swiftFiles(of: target)
        for file in files {
            let imported = Self.importedModules(in: try String(contentsOf: file, encoding: .utf8)).filter(federation.contains)
            #expect(imported.isEmpty, "\(target)/\(file.lastPathComponent) imports \(imported); \(target) knows nothing of federation")
        }
    }
}
