import ControlPlane
import Foundation
import KubernetesAPI
import Yams

/// One YAML document of a manifest file: its value, its node (for field lines) and where it starts.
struct ManifestDocument {
    /// The file as the user named it (`-` for standard input).
    var file: String
    /// The 1-based line the document's content starts on.
    var line: Int
    /// The document as JSON.
    var object: JSONValue
    /// The document as YAML nodes, with marks.
    var node: Node

    /// The 1-based line of `field`, or of the document when the field cannot be placed.
    func line(of field: String) -> Int { FieldLocator.line(of: field, in: node) ?? line }

    /// `kind/name` or `kind/namespace/name`, as a key for duplicates and messages.
    var identity: String {
        let kind = object["kind"]?.stringValue ?? ""
        let name = object.value(at: ["metadata", "name"])?.stringValue ?? ""
        let namespace = object.value(at: ["metadata", "namespace"])?.stringValue
        return [kind, namespace, name].compactMap { $0 }.joined(separator: "/")
    }
}

/// A problem found in a manifest, printed as `file:line: field: message`.
struct ManifestProblem: Hashable, CustomStringConvertible {
    /// The file as the user named it.
    var file: String
    /// The 1-based line.
    var line: Int
    /// The field path, empty for the whole document.
    var field: String
    /// What is wrong.
    var message: String

    var description: String { field.isEmpty ? "\(file):\(line): \(message)" : "\(file):\(line): \(field): \(message)" }
}

/// Reads the YAML documents of manifest files.
enum ManifestReader {
    /// The files `path` names: the file itself, every `.yaml`, `.yml` and `.json` file under a directory
    /// (sorted, recursively), or `-` for standard input.
    static func files(_ path: String) throws -> [String] {
        if path == "-" { return ["-"] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError("\(path): no such file or directory; pass a manifest file, a directory of them, or - for standard input")
        }
        guard isDirectory.boolValue else { return [path] }
        let base = URL(fileURLWithPath: path, isDirectory: true)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else {
            throw CLIError("\(path): cannot list the directory; check its permissions")
        }
        var found: [String] = []
        for case let url as URL in walker where ["yaml", "yml", "json"].contains(url.pathExtension.lowercased()) {
            let relative = url.path.dropFirst(base.path.count).drop { $0 == "/" }
            found.append((path.hasSuffix("/") ? path : path + "/") + relative)
        }
        return found.sorted()
    }

    /// The text of a file, or of standard input for `-`.
    static func text(of file: String) throws -> String {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let read = FileManager.default.contents(atPath: file) else {
                throw CLIError("\(file): cannot be read; check that it exists and its permissions")
            }
            data = read
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError("\(file): is not UTF-8 text; save it as UTF-8")
        }
        return text
    }

    /// The non-empty documents of `text`, or the problem that stopped reading it (YAML syntax).
    static func documents(_ text: String, file: String) -> (documents: [ManifestDocument], problems: [ManifestProblem]) {
        var documents: [ManifestDocument] = []
        do {
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
                let line = node.mark?.line ?? 1
                let object: JSONValue
                do {
                    object = try ManifestAdmission.json(of: node)
                } catch {
                    return (documents, [ManifestProblem(file: file, line: line, field: "", message: "\(error)")])
                }
                if object.isNull { continue }
                documents.append(ManifestDocument(file: file, line: line, object: object, node: node))
            }
        } catch let error as YamlError {
            return (documents, [syntaxProblem(error, file: file)])
        } catch {
            return (documents, [ManifestProblem(file: file, line: 1, field: "", message: "\(error)")])
        }
        return (documents, [])
    }

    /// A YAML syntax error as one problem on the line libyaml names.
    private static func syntaxProblem(_ error: YamlError, file: String) -> ManifestProblem {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let around = context.map { " (\($0.text))" } ?? ""
            return ManifestProblem(file: file, line: mark.line, field: "", message: "YAML syntax error: \(problem)\(around)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ManifestProblem(
                file: file, line: context.mark.line, field: "",
                message: "YAML syntax error: duplicate keys \(duplicates.sorted().joined(separator: ", "))")
        default:
            return ManifestProblem(file: file, line: 1, field: "", message: "YAML syntax error: \(error)")
        }
    }
}
