import FederationAPI
import Foundation
import Yams

/// Converts YAML to JSON trees through Yams' nodes, so `"True"` stays a string and `1` an integer.
enum YAML {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The single document in `text`.
    static func document(_ text: String) throws -> JSONValue {
        guard let node = try Yams.compose(yaml: text) else { throw Failure(description: "empty YAML document") }
        return try json(node)
    }

    /// Every document in a `---` separated stream.
    static func documents(_ text: String) throws -> [JSONValue] {
        let parser = try Parser(yaml: text)
        var out: [JSONValue] = []
        while let node = try parser.nextRoot() { out.append(try json(node)) }
        return out
    }

    static func json(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let s):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return .bool(try require(node.bool, s))
            case Tag.Name.int.rawValue: return .int(Int64(try require(node.int, s)))
            case Tag.Name.float.rawValue: return .double(try require(node.float, s))
            case Tag.Name.str.rawValue: return .string(s.string)
            default: throw Failure(description: "unsupported YAML scalar \(s.string) tagged \(node.tag)")
            }
        case .sequence(let seq):
            return .array(try seq.map(json))
        case .mapping(let map):
            var o: [String: JSONValue] = [:]
            for (k, v) in map {
                guard let key = k.string else { throw Failure(description: "non-string YAML key") }
                o[key] = try json(v)
            }
            return .object(o)
        case .alias:
            throw Failure(description: "YAML aliases are not used in Concord manifests")
        }
    }

    private static func require<T>(_ value: T?, _ s: Node.Scalar) throws -> T {
        guard let value else { throw Failure(description: "cannot read YAML scalar \(s.string)") }
        return value
    }
}
