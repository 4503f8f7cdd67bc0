import ConcordTesting
import FederationAPI
import Foundation

/// One step into a JSON tree.
enum JSONStep: Hashable, Sendable, CustomStringConvertible {
    case key(String)
    case index(Int)

    var description: String {
        switch self {
        case .key(let k): return ".\(k)"
        case .index(let i): return "[\(i)]"
        }
    }
}

/// Seeded mutations of valid objects: random values of random JSON types in random fields, numbers at and
/// beyond every integer bound (also as literals JSONValue cannot hold, such as `1e3` or 2^63), nulls,
/// unknown fields, removed fields and emptied collections. `metadata`, `apiVersion` and `kind` are left alone.
struct ObjectMutator {
    var random: SeededGenerator

    /// Number literals written into the body as they are; a marker string stands for each in the tree.
    static let literals = [
        "1e3", "1.0", "1.5", "-0", "1E2", "2.5e1", "0.0", "-1e0", "9223372036854775807", "9223372036854775808",
        "-9223372036854775809", "18446744073709551616", "2147483647", "2147483648", "-2147483649", "9007199254740993",
        "1e308", "4.9e-324", "1e-7", "123456789012345678901234567890",
    ]
    static let marker = "\u{1}literal:"

    static let strings: [String] = [
        "", "x", "Push", "Pull", "Ready", "True", "Primary", "us-east", "Manual", "Automatic", "In", "Exists",
        "2026-01-02T03:04:05Z", "2026-01-02T03:04:05.123456Z", "2026-01-02T03:04:05+02:00", "2026-01-02T03:04:05",
        "2026-01-02", "2026-13-45T99:99:99Z", "2026-01-02 03:04:05Z", "2026-01-02t03:04:05z", "1e3", "42", "null", "true",
        "UPPER", "with space", "ünïcödé", "a\u{0}b", String(repeating: "y", count: 300), "-leading-dash",
    ]

    /// The object with `count` random mutations (render it with ``render(_:)``).
    mutating func mutated(_ object: JSONValue, count: Int) -> JSONValue {
        var tree = object
        for _ in 0..<count { mutate(&tree) }
        return tree
    }

    /// Compact JSON with each marker string replaced by its literal.
    static func render(_ tree: JSONValue) -> String {
        var text = tree.jsonString()
        for literal in literals {
            text = text.replacingOccurrences(of: "\"\\u0001literal:\(literal)\"", with: literal)
        }
        return text
    }

    mutating func mutate(_ tree: inout JSONValue) {
        let paths = Self.paths(in: tree, at: []).filter { path in
            guard case .key(let first) = path.first else { return false }
            return !["apiVersion", "kind", "metadata"].contains(first)
        }
        guard let path = paths.randomElement(using: &random) else { return }
        let target = Self.value(tree, path)
        switch Int.random(in: 0..<10, using: &random) {
        case 0: Self.set(&tree, path, nil)
        case 1: Self.set(&tree, path, .null)
        case 2 where target?.objectValue != nil:
            var members = target?.objectValue ?? [:]
            members["unknown\(Int.random(in: 0..<3, using: &random))"] = value(depth: 1)
            Self.set(&tree, path, .object(members))
        case 3 where target?.arrayValue?.first != nil:
            let items = target?.arrayValue ?? []
            Self.set(&tree, path, .array(items + [items[0]]))
        default: Self.set(&tree, path, value(depth: 0))
        }
    }

    /// A random JSON value; shallow, so objects stay small.
    mutating func value(depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 1 ? 7 : 10), using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2:
            let edges: [Int64] = [0, -1, 1, 3, 100, 2_147_483_647, 2_147_483_648, -2_147_483_649, .max, .min]
            return .int(Bool.random(using: &random) ? edges.randomElement(using: &random)! : Int64.random(in: -1000...1000, using: &random))
        case 3: return .double([0.5, -1.5, 1e300, 3.25, 1e-300].randomElement(using: &random)!)
        case 4, 6: return .string(Self.marker + Self.literals.randomElement(using: &random)!)
        case 5, 8: return .string(Self.strings.randomElement(using: &random)!)
        case 7: return .array((0..<Int.random(in: 0...2, using: &random)).map { _ in value(depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...2, using: &random) {
                members[["name", "type", "x", "replicas", "time"].randomElement(using: &random)!] = value(depth: depth + 1)
            }
            return .object(members)
        }
    }

    static func paths(in value: JSONValue, at prefix: [JSONStep]) -> [[JSONStep]] {
        var out: [[JSONStep]] = prefix.isEmpty ? [] : [prefix]
        switch value {
        case .object(let members):
            for key in members.keys.sorted() { out += paths(in: members[key]!, at: prefix + [.key(key)]) }
        case .array(let items):
            for (i, item) in items.enumerated() { out += paths(in: item, at: prefix + [.index(i)]) }
        default:
            break
        }
        return out
    }

    static func value(_ tree: JSONValue, _ path: [JSONStep]) -> JSONValue? {
        var current: JSONValue? = tree
        for step in path {
            switch step {
            case .key(let k): current = current?[k]
            case .index(let i): current = current?.arrayValue.flatMap { i < $0.count ? $0[i] : nil }
            }
        }
        return current
    }

    /// Sets (or, with nil, removes) the value at an existing path.
    static func set(_ tree: inout JSONValue, _ path: [JSONStep], _ newValue: JSONValue?) {
        guard let step = path.first else {
            if let newValue { tree = newValue }
            return
        }
        let rest = Array(path.dropFirst())
        switch (step, tree) {
        case (.key(let k), .object(var members)):
            if rest.isEmpty {
                members[k] = newValue
            } else if var child = members[k] {
                set(&child, rest, newValue)
                members[k] = child
            }
            tree = .object(members)
        case (.index(let i), .array(var items)) where i < items.count:
            if rest.isEmpty {
                if let newValue { items[i] = newValue } else { items.remove(at: i) }
            } else {
                set(&items[i], rest, newValue)
            }
            tree = .array(items)
        default:
            break
        }
    }
}
