import Foundation

/// A fast JSON codec for `JSONValue`, working on UTF-8 bytes without Foundation's object trees.
///
/// `encode` produces exactly the bytes of `JSONValue.jsonData()` (compact, sorted keys, slashes
/// unescaped), several times faster; `decode` reads any JSON text (RFC 8259) into the same tree
/// `JSONValue(parsing:)` builds: integers that fit `Int64` stay `.int`, other numbers are `.double`.
/// The store keeps every object in this form; the API layer may use it for bodies too.
public enum CompactJSON {
    /// The compact JSON bytes of `value` (identical to `value.jsonData()`).
    public static func encode(_ value: JSONValue) -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        CompactJSONWriter.write(value, into: &out)
        return Data(out)
    }

    /// Appends the compact JSON bytes of `value` to `out`.
    public static func encode(_ value: JSONValue, into out: inout [UInt8]) {
        CompactJSONWriter.write(value, into: &out)
    }

    /// Parses JSON text. Throws ``CompactJSONError`` naming the byte offset of the first problem.
    public static func decode(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { raw in
            var parser = CompactJSONParser(raw.bindMemory(to: UInt8.self))
            return try parser.parseDocument()
        }
    }

    /// Parses JSON text from bytes.
    public static func decode(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBufferPointer { buffer in
            var parser = CompactJSONParser(buffer)
            return try parser.parseDocument()
        }
    }
}

/// Malformed JSON text.
public struct CompactJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong and where.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// The writer half of ``CompactJSON``: the same output rules as `JSONValue.jsonData()`.
enum CompactJSONWriter {
    static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: JSONNumberText.format(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(member, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var string = string
        string.withUTF8 { bytes in
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                runStart = index + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    out.append(contentsOf: "u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0xF)])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
