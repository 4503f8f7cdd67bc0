import KubernetesAPI

/// A set of field paths: what one manager owns, what an applied configuration sets, what changed.
///
/// A path in the set is a member: a leaf (scalar, atomic list or map, empty object), a list element, or a
/// map entry. Parents of members are implied and not members themselves unless inserted.
struct FieldSet: Hashable, Sendable {
    private(set) var paths: Set<ManagedPath>

    init() { paths = [] }

    init<S: Sequence>(_ paths: S) where S.Element == ManagedPath { self.paths = Set(paths) }

    var isEmpty: Bool { paths.isEmpty }
    var count: Int { paths.count }

    func contains(_ path: ManagedPath) -> Bool { paths.contains(path) }

    /// True when some member is `path` or lies below it.
    func hasMember(atOrBelow path: ManagedPath) -> Bool {
        paths.contains { path.isPrefix(of: $0) }
    }

    func union(_ other: FieldSet) -> FieldSet { FieldSet(paths.union(other.paths)) }
    func subtracting(_ other: FieldSet) -> FieldSet { FieldSet(paths.subtracting(other.paths)) }
    func intersection(_ other: FieldSet) -> FieldSet { FieldSet(paths.intersection(other.paths)) }

    /// The members in a stable order (by element, shorter paths first on ties).
    var sorted: [ManagedPath] {
        paths.sorted { a, b in
            for (x, y) in zip(a, b) where x != y { return x < y }
            return a.count < b.count
        }
    }
}

extension FieldSet {
    /// The `fieldsV1` form: nested objects keyed by encoded path elements; `"."` marks a node that is a member
    /// and has members below it; a member with nothing below is `{}`.
    var fieldsV1: JSONValue {
        final class Node {
            var member = false
            var children: [PathElement: Node] = [:]
        }
        let root = Node()
        for path in paths {
            var node = root
            for element in path {
                if let next = node.children[element] {
                    node = next
                } else {
                    let next = Node()
                    node.children[element] = next
                    node = next
                }
            }
            node.member = true
        }
        func encode(_ node: Node) -> JSONValue {
            var members: [String: JSONValue] = [:]
            if node.member && !node.children.isEmpty { members["."] = .object([:]) }
            for (element, child) in node.children { members[element.encoded] = encode(child) }
            return .object(members)
        }
        return encode(root)
    }

    /// Reads a `fieldsV1` object; unknown keys are an error.
    init(fieldsV1: JSONValue) throws {
        var paths: [ManagedPath] = []
        func walk(_ value: JSONValue, _ prefix: ManagedPath) throws {
            guard let members = value.objectValue else { throw FieldSetError(message: "fieldsV1 nodes must be objects") }
            if members.isEmpty, !prefix.isEmpty { paths.append(prefix) }
            for (key, child) in members {
                if key == "." {
                    if !prefix.isEmpty { paths.append(prefix) }
                    continue
                }
                guard let element = PathElement(encoded: key) else { throw FieldSetError(message: "invalid fieldsV1 key \(key)") }
                try walk(child, prefix + [element])
            }
        }
        try walk(fieldsV1, [])
        self.init(paths)
    }
}

/// A `fieldsV1` document that cannot be read.
struct FieldSetError: Error, Sendable {
    var message: String
}
