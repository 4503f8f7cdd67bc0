import KubernetesAPI

/// One step of a field path, as server-side apply names it in `fieldsV1`.
///
/// - `f:name`: a member of an object (struct field or map key).
/// - `k:{"type":"Ready"}`: the element of a list-map (associative list) with these key values.
/// - `v:"a"`: the element of a set (a list of unique scalars) with this value.
/// - `i:0`: a list element by position (only for lists that are neither maps nor sets).
enum PathElement: Hashable, Sendable, Comparable {
    case field(String)
    case key([String: JSONValue])
    case value(JSONValue)
    case index(Int)

    /// The `fieldsV1` key: `f:spec`, `k:{"type":"Ready"}`, `v:"a"`, `i:0`.
    var encoded: String {
        switch self {
        case .field(let name): return "f:" + name
        case .key(let fields): return "k:" + JSONValue.object(fields).jsonString()
        case .value(let v): return "v:" + v.jsonString()
        case .index(let i): return "i:\(i)"
        }
    }

    /// Reads a `fieldsV1` key; nil for `.` and for keys that are not path elements.
    init?(encoded: String) {
        guard encoded.count > 2, encoded.dropFirst().first == ":" else { return nil }
        let body = String(encoded.dropFirst(2))
        switch encoded.first {
        case "f": self = .field(body)
        case "k":
            guard let v = try? CompactJSON.decode(Array(body.utf8)) as JSONValue, let fields = v.objectValue else { return nil }
            self = .key(fields)
        case "v":
            guard let v = try? CompactJSON.decode(Array(body.utf8)) as JSONValue else { return nil }
            self = .value(v)
        case "i":
            guard let i = Int(body) else { return nil }
            self = .index(i)
        default: return nil
        }
    }

    /// The element as it appears in a conflict message: `.spec`, `[type="Ready"]`, `[="a"]`, `[0]`.
    var rendered: String {
        switch self {
        case .field(let name): return "." + name
        case .key(let fields):
            return "[" + fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.jsonString())" }.joined(separator: ",") + "]"
        case .value(let v): return "[=" + v.jsonString() + "]"
        case .index(let i): return "[\(i)]"
        }
    }

    /// Fields before keys before values before indexes; within a kind, by encoded text.
    static func < (lhs: PathElement, rhs: PathElement) -> Bool {
        if lhs.rank != rhs.rank { return lhs.rank < rhs.rank }
        return lhs.encoded < rhs.encoded
    }

    private var rank: Int {
        switch self {
        case .field: return 0
        case .key: return 1
        case .value: return 2
        case .index: return 3
        }
    }
}

/// A path from the root of an object to one field.
typealias ManagedPath = [PathElement]

extension Array where Element == PathElement {
    /// `.spec.conditions[type="Ready"].status`: the path as kube-apiserver prints it in conflicts.
    var rendered: String { map(\.rendered).joined() }

    /// True for a key field of a list-map element (`k:{"name":"a"}` then `f:name`): it stays while the element does.
    var isListMapKey: Bool {
        guard count >= 2, case .field(let name) = self[count - 1], case .key(let key) = self[count - 2] else { return false }
        return key[name] != nil
    }

    /// True when `self` is a (not necessarily proper) prefix of `other`.
    func isPrefix(of other: ManagedPath) -> Bool {
        count <= other.count && zip(self, other).allSatisfy { $0 == $1 }
    }
}
