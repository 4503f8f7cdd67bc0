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

    static func value(of node: Node) throws -> JSONValue {
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

    /// Plain scalars resolve as Kubernetes' YAML reader resolves them, then pass through JSON the way
    /// kube-apiserver converts YAML: a float is written as Go writes a float64 and read back, so `1e3` and
    /// `1.0` become the integers 1000 and 1, and an integer beyond int64 stays a float.
    private static func scalarValue(_ scalar: Node.Scalar, node: Node) -> JSONValue {
        if scalar.style != .plain { return .string(scalar.string) }
        if node.null != nil { return .null }
        if let bool = node.bool { return .bool(bool) }
        if let int = node.int { return .int(Int64(int)) }
        if let double = float(scalar.string) { return JSONNumberText.kubernetesReading(double) }
        return .string(scalar.string)
    }

    /// A plain scalar Kubernetes' YAML reader takes as a float: decimal digits with an optional fraction and
    /// exponent, underscores ignored (`1.5`, `1e3`, `.5`, and integers too large for int64).
    private static func float(_ text: String) -> Double? {
        let plain = text.replacingOccurrences(of: "_", with: "")
        guard plain.wholeMatch(of: #/[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?/#) != nil,
            let value = Double(plain), value.isFinite
        else { return nil }
        return value
    }
}
