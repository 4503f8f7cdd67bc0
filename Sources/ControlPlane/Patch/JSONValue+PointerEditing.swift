import KubernetesAPI

extension JSONValue {
    /// RFC 6902 `add`: sets an object member, or inserts into an array (`-` appends).
    /// The parent must exist. An empty path replaces the whole document.
    mutating func insert(_ value: JSONValue, at tokens: ArraySlice<String>) throws {
        guard let last = tokens.last else {
            self = value
            return
        }
        try withContainer(at: tokens.dropLast()) { container in
            switch container {
            case .object(var members):
                container = .null
                members[last] = value
                container = .object(members)
            case .array(var elements):
                container = .null
                defer { container = .array(elements) }
                if last == "-" {
                    elements.append(value)
                } else if let index = JSONPointer.arrayIndex(last), index <= elements.count {
                    elements.insert(value, at: index)
                } else {
                    throw PointerFailure("array index \"\(last)\" is out of range for an array of \(elements.count)")
                }
            default:
                throw PointerFailure("cannot add member \"\(last)\" to a \(container.typeName)")
            }
        }
    }

    /// RFC 6902 `remove`: removes and returns the value at a non-empty path, which must exist.
    mutating func remove(at tokens: ArraySlice<String>) throws -> JSONValue {
        guard let last = tokens.last else { throw PointerFailure("the whole document cannot be removed") }
        return try withContainer(at: tokens.dropLast()) { container in
            switch container {
            case .object(var members):
                container = .null
                defer { container = .object(members) }
                guard let removed = members.removeValue(forKey: last) else {
                    throw PointerFailure("the path does not exist")
                }
                return removed
            case .array(var elements):
                container = .null
                defer { container = .array(elements) }
                guard let index = JSONPointer.arrayIndex(last), index < elements.count else {
                    throw PointerFailure("array index \"\(last)\" is out of range for an array of \(elements.count)")
                }
                return elements.remove(at: index)
            default:
                throw PointerFailure("the path does not exist")
            }
        }
    }

    /// Runs `body` on the container at `tokens` in place (no copies of the tree above it).
    private mutating func withContainer<R>(at tokens: ArraySlice<String>, _ body: (inout JSONValue) throws -> R) throws -> R {
        guard let head = tokens.first else { return try body(&self) }
        switch self {
        case .object(var members):
            guard var child = members.removeValue(forKey: head) else {
                throw PointerFailure("the parent path does not exist (no member \"\(head)\")")
            }
            self = .null
            defer {
                members[head] = child
                self = .object(members)
            }
            return try child.withContainer(at: tokens.dropFirst(), body)
        case .array(var elements):
            guard let index = JSONPointer.arrayIndex(head), index < elements.count else {
                throw PointerFailure("the parent path does not exist (no array index \"\(head)\")")
            }
            self = .null
            var child = elements[index]
            elements[index] = .null
            defer {
                elements[index] = child
                self = .array(elements)
            }
            return try child.withContainer(at: tokens.dropFirst(), body)
        default:
            throw PointerFailure("the parent path does not exist (a \(typeName) has no member \"\(head)\")")
        }
    }

    /// JSON equality as RFC 6902 `test` defines it: numbers compare by value, so `1` equals `1.0`.
    func isJSONEqual(to other: JSONValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)):
            return Double(a) == b
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.isJSONEqual(to: $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map { value.isJSONEqual(to: $0) } ?? false }
        default:
            return self == other
        }
    }
}
