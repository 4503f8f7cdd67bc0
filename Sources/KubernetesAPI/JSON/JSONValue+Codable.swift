import Foundation

extension JSONValue: Codable {
    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        // Each failed attempt throws a DecodingError that renders the whole coding path, so objects
        // (most of a free-form tree) go first. Scalars keep the order booleans, integers, other
        // numbers, strings: a YAML decoder reads any scalar as a string, so strings come last.
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let o = try? c.decode([String: JSONValue].self) {
            self = .object(o)
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else {
            self = .array(try c.decode([JSONValue].self))
        }
    }

    /// Encodes the value as JSON.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }
}

extension JSONValue {
    /// Parses JSON bytes (RFC 8259), keeping integers and doubles apart; throws `CompactJSONError`.
    public init(parsing data: Data) throws {
        self = try CompactJSON.decode(data)
    }

    /// Converts a Foundation JSON tree (as JSONSerialization or Yams return it).
    public init(foundation any: Any) throws {
        switch any {
        case is NSNull:
            self = .null
        case let n as NSNumber:
            self = JSONValue(number: n)
        case let s as String:
            self = .string(s)
        case let a as [Any]:
            self = .array(try a.map { try JSONValue(foundation: $0) })
        case let o as [String: Any]:
            var out: [String: JSONValue] = [:]
            out.reserveCapacity(o.count)
            for (k, v) in o { out[k] = try JSONValue(foundation: v) }
            self = .object(out)
        case let b as Bool:
            self = .bool(b)
        case let i as Int:
            self = .int(Int64(i))
        case let d as Double:
            self = .double(d)
        default:
            throw JSONValueError(message: "unsupported JSON value of type \(type(of: any))")
        }
    }

    private init(number n: NSNumber) {
        // On Linux a JSON boolean arrives as an NSNumber whose objCType is "c".
        if String(cString: n.objCType) == "c" {
            self = .bool(n.boolValue)
            return
        }
        let t = String(cString: n.objCType)
        if t == "d" || t == "f" {
            let d = n.doubleValue
            self = .double(d)
        } else {
            self = .int(n.int64Value)
        }
    }

    /// The Foundation form of this value, for JSONSerialization or Yams.
    public var foundationValue: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .int(let i): return Int(i)
        case .double(let d): return d
        case .string(let s): return s
        case .array(let a): return a.map(\.foundationValue)
        case .object(let o): return o.mapValues(\.foundationValue)
        }
    }

    /// Compact JSON bytes with sorted keys and unescaped slashes.
    public func jsonData() -> Data { CompactJSON.encode(self) }

    /// Compact JSON text with sorted keys.
    public func jsonString() -> String { String(decoding: jsonData(), as: UTF8.self) }
}

extension JSONValue {
    /// Encodes a Codable value into a JSON tree.
    public init<T: Encodable>(encoding value: T) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONValue(parsing: data)
    }

    /// Decodes a Codable value from this JSON tree.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: jsonData())
    }
}

/// A value that is not representable as JSON.
public struct JSONValueError: Error, CustomStringConvertible, Sendable {
    /// What was wrong.
    public var message: String
    /// The message.
    public var description: String { message }
}
