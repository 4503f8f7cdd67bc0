import FederationAPI
import Foundation

/// The patch formats the server accepts.
enum PatchType: Sendable {
    case merge
    case json
    case strategic

    /// Reads the request's Content-Type; strategic merge is for built-in kinds only, apply is not served yet.
    init(contentType: String, definition: ResourceDefinition) throws {
        let media = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        switch media {
        case "application/merge-patch+json": self = .merge
        case "application/json-patch+json": self = .json
        case "application/strategic-merge-patch+json" where definition.acceptsStrategicMerge: self = .strategic
        default: throw APIError.unsupportedMediaType(accepted: definition.acceptedPatchTypes)
        }
    }
}

/// Applies a patch document to an object. (Interim: replaced by the Patch module once merged.)
enum Patching {
    static func apply(_ type: PatchType, patch: Data, to object: JSONValue) throws -> JSONValue {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: patch)
        } catch {
            throw APIError.badRequest("error decoding patch: \(error)")
        }
        switch type {
        case .merge, .strategic:
            guard document.objectValue != nil else { throw APIError.badRequest("error decoding patch: the patch must be a JSON object") }
            return mergePatch(object, document)
        case .json:
            guard let ops = document.arrayValue else { throw APIError.badRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch") }
            return try jsonPatch(object, ops)
        }
    }

    static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard let p = patch.objectValue else { return patch }
        var t = target.objectValue ?? [:]
        for (k, v) in p {
            if k.hasPrefix("$") { continue }
            if v.isNull { t[k] = nil } else { t[k] = mergePatch(t[k] ?? .null, v) }
        }
        return .object(t)
    }

    static func jsonPatch(_ object: JSONValue, _ ops: [JSONValue]) throws -> JSONValue {
        var doc = object
        for op in ops {
            guard let name = op["op"]?.stringValue, let path = op["path"]?.stringValue else {
                throw APIError.badRequest("the server rejected our request due to an error in our request")
            }
            let pointer = try parsePointer(path)
            switch name {
            case "add": doc = try set(doc, pointer[...], op["value"] ?? .null, insert: true)
            case "replace":
                _ = try get(doc, pointer[...])
                doc = try set(doc, pointer[...], op["value"] ?? .null, insert: false)
            case "remove": doc = try removing(doc, pointer[...])
            case "test":
                if try get(doc, pointer[...]) != op["value"] { throw APIError(code: 422, reason: StatusReason.invalid, message: "the server rejected our request due to an error in our request") }
            case "move", "copy":
                let from = try parsePointer(op["from"]?.stringValue ?? "")
                let value = try get(doc, from[...])
                if name == "move" { doc = try removing(doc, from[...]) }
                doc = try set(doc, pointer[...], value, insert: true)
            default:
                throw APIError.badRequest("Unexpected kind: \(name)")
            }
        }
        return doc
    }

    private static func parsePointer(_ path: String) throws -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw APIError.badRequest("invalid JSON pointer \"\(path)\"") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func missing(_ p: ArraySlice<String>) -> APIError {
        APIError(code: 422, reason: StatusReason.invalid, message: "the server rejected our request due to an error in our request")
    }

    private static func get(_ doc: JSONValue, _ p: ArraySlice<String>) throws -> JSONValue {
        guard let first = p.first else { return doc }
        switch doc {
        case .object(let o):
            guard let v = o[first] else { throw missing(p) }
            return try get(v, p.dropFirst())
        case .array(let a):
            guard let i = Int(first), a.indices.contains(i) else { throw missing(p) }
            return try get(a[i], p.dropFirst())
        default: throw missing(p)
        }
    }

    private static func set(_ doc: JSONValue, _ p: ArraySlice<String>, _ value: JSONValue, insert: Bool) throws -> JSONValue {
        guard let first = p.first else { return value }
        let rest = p.dropFirst()
        switch doc {
        case .object(var o):
            if rest.isEmpty { o[first] = value } else {
                guard let child = o[first] else { throw missing(p) }
                o[first] = try set(child, rest, value, insert: insert)
            }
            return .object(o)
        case .array(var a):
            if rest.isEmpty {
                if first == "-" && insert { a.append(value); return .array(a) }
                guard let i = Int(first), i >= 0, i <= a.count, insert || i < a.count else { throw missing(p) }
                if insert { a.insert(value, at: i) } else { a[i] = value }
                return .array(a)
            }
            guard let i = Int(first), a.indices.contains(i) else { throw missing(p) }
            a[i] = try set(a[i], rest, value, insert: insert)
            return .array(a)
        default: throw missing(p)
        }
    }

    private static func removing(_ doc: JSONValue, _ p: ArraySlice<String>) throws -> JSONValue {
        guard let first = p.first else { throw missing(p) }
        let rest = p.dropFirst()
        switch doc {
        case .object(var o):
            guard let child = o[first] else { throw missing(p) }
            o[first] = rest.isEmpty ? nil : try removing(child, rest)
            return .object(o)
        case .array(var a):
            guard let i = Int(first), a.indices.contains(i) else { throw missing(p) }
            if rest.isEmpty { a.remove(at: i) } else { a[i] = try removing(a[i], rest) }
            return .array(a)
        default: throw missing(p)
        }
    }
}
