import ArgumentParser
import FederationAPI
import Foundation
import Yams

/// `concord crds`: prints Concord's CustomResourceDefinitions as a multi-document YAML stream,
/// or writes one file per CRD with `--output-dir` (what `hack/update-crds.sh` does for `crds/`).
public struct CRDsCommand: ParsableCommand {
    /// The command's configuration.
    public static let configuration = CommandConfiguration(
        commandName: "crds",
        abstract: "Print Concord's CustomResourceDefinitions (kubectl apply -f - installs them).",
        discussion: """
            Without options the four CRDs of federation.concord.dev are printed as one YAML stream:
              concord crds | kubectl apply -f -
            With --output-dir each is written to its own file, federation.concord.dev_<plural>.yaml.
            """
    )

    /// Writes one file per CRD into this directory instead of printing.
    @Option(name: .customLong("output-dir"), help: ArgumentHelp("Write one file per CRD into this directory.", valueName: "dir"))
    public var outputDirectory: String?

    /// Creates the command.
    public init() {}

    /// Prints or writes the CRDs.
    public func run() throws {
        if let outputDirectory {
            let directory = URL(fileURLWithPath: outputDirectory, isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            for crd in FederationCRDs.definitions {
                let file = directory.appendingPathComponent(crd.fileName)
                try Data(Self.yamlStream([crd.json]).utf8).write(to: file, options: .atomic)
                print("wrote \(file.path)")
            }
        } else {
            print(try Self.yamlStream(FederationCRDs.all), terminator: "")
        }
    }

    /// Renders documents as a YAML stream: each starts with `---`, keys are sorted, and strings
    /// that YAML would read as another type (`"True"`, `"0755"`, `"yes"`) are quoted.
    public static func yamlStream(_ documents: [JSONValue]) throws -> String {
        try Yams.serialize(nodes: documents.map(node), width: -1, explicitStart: true, sortKeys: true)
    }

    /// The YAML node of a JSON value.
    static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return .scalar(b.represented())
        case .int(let i): return .scalar(Int(i).represented())
        case .double(let d): return .scalar(d.represented())
        case .string(let s): return .scalar(s.represented())
        case .array(let a): return Node(a.map(node))
        case .object(let o): return Node(o.keys.sorted().map { (Node.scalar($0.represented()), node(o[$0]!)) })
        }
    }
}
