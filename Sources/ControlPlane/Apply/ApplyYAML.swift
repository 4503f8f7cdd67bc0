import KubernetesAPI
import Yams

/// Reads the YAML that apply configurations are written in (one document), through Yams, into a
/// JSON tree: scalars are resolved by their YAML tags (`true`, `3`, `1.5`, `null`, strings), so
/// quoted values stay strings.
enum ApplyYAML {
    /// A YAML document that cannot be read as an apply configuration.
    struct SyntaxError: Error, Sendable, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// The value of a one-document YAML text (`null` for an empty one).
    static func parse(_ text: String) throws -> JSONValue {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw SyntaxError(message: "\(error)")
        }
        guard let node else { return .null }
        return try value(of: node)
    }

    private static func value(of node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar, node: node)
        case .sequence(let sequence):
            return .array(try sequence.map(value(of:)))
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, item) in mapping {
                guard let name = key.string else { throw SyntaxError(message: "mapping keys must be strings, not \(key)") }
                object[name] = try value(of: item)
            }
            return .object(object)
        case .alias:
            throw SyntaxError(message: "YAML aliases are not supported in apply configurations")
        }
    }

    private static func scalarValue(_ scalar: Node.Scalar, node: Node) -> JSONValue {
        if scalar.style != .plain { return .string(scalar.string) }
        if node.null != nil { return .null }
        if let bool = node.bool { return .bool(bool) }
        if let int = node.int { return .int(Int64(int)) }
        if let double = node.float { return .double(double) }
        return .string(scalar.string)
    }
}
