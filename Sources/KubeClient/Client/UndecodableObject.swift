import Foundation
import KubernetesAPI

/// An object the server sent that the typed decoder refuses (a number out of range, a wrong type,
/// a missing required field). Lists and watches skip it rather than fail: the rest of the list
/// and the following watch events still arrive. It carries the raw JSON, so a caller can still
/// read its metadata and report the problem on the object itself.
public struct UndecodableObject: Error, Sendable, CustomStringConvertible {
    /// The object as the server sent it.
    public var raw: JSONValue
    /// The watch event that carried it; nil for an item of a list.
    public var eventType: WatchEventType?
    /// The path of the field the decoder refused (`spec.capacity.replicas`, `status.conditions[0].type`); "" for the object itself.
    public var fieldPath: String
    /// What the decoder said about that field.
    public var reason: String

    /// Creates a record of an undecodable object.
    public init(raw: JSONValue, eventType: WatchEventType? = nil, fieldPath: String, reason: String) {
        self.raw = raw
        self.eventType = eventType
        self.fieldPath = fieldPath
        self.reason = reason
    }

    /// Creates a record from the error the typed decoder threw for `raw`.
    public init(raw: JSONValue, eventType: WatchEventType? = nil, error: any Error) {
        let (path, reason) = Self.explain(error)
        self.init(raw: raw, eventType: eventType, fieldPath: path, reason: reason)
    }

    /// The object's metadata, read leniently from the raw JSON (name, namespace, uid, resourceVersion, generation).
    public var metadata: ObjectMeta { JSONValue.objectMeta(of: raw) }

    /// `namespace/name` (or `name` for a cluster-scoped object).
    public var key: String {
        let m = metadata
        if let ns = m.namespace, !ns.isEmpty { return "\(ns)/\(m.name ?? "")" }
        return m.name ?? ""
    }

    /// The field and the decoder's complaint, for logs and conditions: `spec.capacity.replicas: …`.
    public var message: String { fieldPath.isEmpty ? reason : "\(fieldPath): \(reason)" }

    /// The key, the field and the decoder's complaint.
    public var description: String { "\(key) cannot be decoded: \(message)" }

    /// Decodes `raw` as `T`, or describes why it cannot be.
    static func decode<T: Decodable>(_ type: T.Type, from raw: JSONValue, eventType: WatchEventType? = nil) -> Result<T, UndecodableObject> {
        do {
            return .success(try JSONDecoder().decode(T.self, from: raw.jsonData()))
        } catch {
            var bad = UndecodableObject(raw: raw, eventType: eventType, error: error)
            if bad.fieldPath.isEmpty, let (path, number) = locateNumber(T.self, in: raw, failingWith: "\(error)") {
                // Foundation names no field for a number that does not fit ("not valid JSON").
                bad.fieldPath = path
                bad.reason = "\(number) is not a whole number within the int64 range"
            }
            return .failure(bad)
        }
    }

    /// The first non-integer number whose replacement by 0 changes the decoder's error: the field
    /// the decoder choked on when it did not say which.
    private static func locateNumber<T: Decodable>(_ type: T.Type, in raw: JSONValue, failingWith original: String) -> (String, JSONValue)? {
        for (path, number, trial) in doubleLeaves(raw, path: "") {
            do {
                _ = try JSONDecoder().decode(T.self, from: trial.jsonData())
                return (path, number)
            } catch where "\(error)" != original {
                return (path, number)
            } catch {
                continue
            }
        }
        return nil
    }

    /// Every floating-point leaf: its path, its value, and the whole tree with that leaf set to 0.
    private static func doubleLeaves(_ v: JSONValue, path: String) -> [(String, JSONValue, JSONValue)] {
        switch v {
        case .double: return [(path, v, .int(0))]
        case .object(let o):
            return o.keys.sorted().flatMap { k in
                doubleLeaves(o[k]!, path: path.isEmpty ? k : "\(path).\(k)").map { p, n, replaced in
                    var copy = o
                    copy[k] = replaced
                    return (p, n, JSONValue.object(copy))
                }
            }
        case .array(let a):
            return a.indices.flatMap { i in
                doubleLeaves(a[i], path: "\(path)[\(i)]").map { p, n, replaced in
                    var copy = a
                    copy[i] = replaced
                    return (p, n, JSONValue.array(copy))
                }
            }
        default: return []
        }
    }

    /// The dotted field path and a one-line reason of a decoding error.
    static func explain(_ error: any Error) -> (path: String, reason: String) {
        guard let error = error as? DecodingError else { return ("", "\(error)") }
        let context: DecodingError.Context
        let reason: String
        switch error {
        case .typeMismatch(let type, let c):
            context = c
            reason = "expected \(typeName(type)): \(c.debugDescription)"
        case .valueNotFound(let type, let c):
            context = c
            reason = "expected \(typeName(type)), found null: \(c.debugDescription)"
        case .keyNotFound(let key, let c):
            return (path(c.codingPath + [key]), "required field is missing")
        case .dataCorrupted(let c):
            context = c
            reason = c.debugDescription
        @unknown default:
            return ("", "\(error)")
        }
        return (path(context.codingPath), reason)
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        var out = ""
        for k in keys {
            if let i = k.intValue, k.stringValue.hasPrefix("Index") || k.stringValue == "\(i)" {
                out += "[\(i)]"
            } else {
                out += out.isEmpty ? k.stringValue : ".\(k.stringValue)"
            }
        }
        return out
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int64.Type, is Int.Type, is Int32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        default: return "\(type)"
        }
    }
}
