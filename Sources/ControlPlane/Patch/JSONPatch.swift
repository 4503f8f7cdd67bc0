import KubernetesAPI

/// One JSON patch operation (RFC 6902).
public struct JSONPatchOperation: Sendable, Hashable {
    /// The operation's `op`.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case add, remove, replace, move, copy, test
    }

    /// The `op`.
    public var kind: Kind
    /// The `path`.
    public var path: JSONPointer
    /// The `from` of `move` and `copy`.
    public var from: JSONPointer?
    /// The `value` of `add`, `replace` and `test`.
    public var value: JSONValue?

    /// Creates an operation.
    public init(_ kind: Kind, path: JSONPointer, from: JSONPointer? = nil, value: JSONValue? = nil) {
        self.kind = kind
        self.path = path
        self.from = from
        self.value = value
    }
}

/// JSON patch (RFC 6902), `application/json-patch+json`: an array of operations applied in order,
/// all or nothing.
public enum JSONPatch {
    /// Parses a patch document (a JSON array of operation objects). Throws `.badRequest` when malformed.
    public static func parse(_ document: JSONValue) throws -> [JSONPatchOperation] {
        guard case .array(let elements) = document else {
            throw PatchError.badRequest("a JSON patch must be an array of operations, not \(document.typeName)")
        }
        return try elements.enumerated().map { index, element in
            guard case .object(let fields) = element else {
                throw PatchError.badRequest("JSON patch operation \(index) must be an object, not \(element.typeName)")
            }
            guard let opName = fields["op"]?.stringValue else {
                throw PatchError.badRequest("JSON patch operation \(index) has no \"op\"")
            }
            guard let kind = JSONPatchOperation.Kind(rawValue: opName) else {
                throw PatchError.badRequest(
                    "JSON patch operation \(index) has unknown op \"\(opName)\"; expected one of add, remove, replace, move, copy, test")
            }
            guard let pathText = fields["path"]?.stringValue else {
                throw PatchError.badRequest("JSON patch operation \(index) (\(opName)) has no string \"path\"")
            }
            let path = try JSONPointer(parsing: pathText)
            var operation = JSONPatchOperation(kind, path: path)
            switch kind {
            case .add, .replace, .test:
                guard let value = fields["value"] else {
                    throw PatchError.badRequest("JSON patch operation \(index) (\(opName) at \(pathText)) has no \"value\"")
                }
                operation.value = value
            case .move, .copy:
                guard let fromText = fields["from"]?.stringValue else {
                    throw PatchError.badRequest("JSON patch operation \(index) (\(opName) to \(pathText)) has no string \"from\"")
                }
                operation.from = try JSONPointer(parsing: fromText)
            case .remove:
                break
            }
            return operation
        }
    }

    /// Parses and applies `patch` to `document`.
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws -> JSONValue {
        try apply(parse(patch), to: document)
    }

    /// Applies operations in order; throws `.unprocessable` naming the failing operation.
    public static func apply(_ operations: [JSONPatchOperation], to document: JSONValue) throws -> JSONValue {
        var result = document
        for (index, operation) in operations.enumerated() {
            do {
                try apply(operation, to: &result)
            } catch let failure as PointerFailure {
                throw PatchError.unprocessable(
                    "JSON patch operation \(index) (\(operation.kind.rawValue) at \(operation.path)) failed: \(failure.reason)")
            }
        }
        return result
    }

    private static func apply(_ operation: JSONPatchOperation, to document: inout JSONValue) throws {
        let path = operation.path
        switch operation.kind {
        case .add:
            try document.insert(operation.value ?? .null, at: path.tokens[...])
        case .remove:
            _ = try document.remove(at: path.tokens[...])
        case .replace:
            guard path.resolve(in: document) != nil else { throw PointerFailure("the path does not exist") }
            if path.tokens.isEmpty {
                document = operation.value ?? .null
            } else {
                _ = try document.remove(at: path.tokens[...])
                try document.insert(operation.value ?? .null, at: path.tokens[...])
            }
        case .move:
            let from = operation.from ?? path
            if from == path { return }
            if path.isInside(from) { throw PointerFailure("cannot move \(from) into its own child") }
            let value = try document.remove(at: from.tokens[...])
            try document.insert(value, at: path.tokens[...])
        case .copy:
            let from = operation.from ?? path
            guard let value = from.resolve(in: document) else { throw PointerFailure("the \"from\" path \(from) does not exist") }
            try document.insert(value, at: path.tokens[...])
        case .test:
            guard let actual = path.resolve(in: document) else { throw PointerFailure("the path does not exist") }
            guard actual.isJSONEqual(to: operation.value ?? .null) else {
                throw PointerFailure("test failed: the value is \(actual.jsonString()), not \((operation.value ?? .null).jsonString())")
            }
        }
    }
}

/// Why a pointer operation failed (wrapped into a `PatchError` naming the operation).
struct PointerFailure: Error {
    var reason: String
    init(_ reason: String) { self.reason = reason }
}
