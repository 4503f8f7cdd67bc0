/// A request body that is not a well-formed Kubernetes protobuf message (answer 400 or 415).
public struct ProtobufDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, for the user.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// Protocol buffer wire types.
enum ProtobufWireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// A cursor over protobuf wire-format bytes: tags, varints and length-delimited fields.
/// Every read is bounds-checked and throws ``ProtobufDecodingError`` instead of trapping.
struct ProtobufReader {
    private let bytes: ArraySlice<UInt8>
    private var index: Int
    /// Names the message being read, for error messages.
    let context: String

    init(_ bytes: ArraySlice<UInt8>, context: String) {
        self.bytes = bytes
        self.index = bytes.startIndex
        self.context = context
    }

    /// True when every byte has been read.
    var isAtEnd: Bool { index >= bytes.endIndex }

    /// The next field's number and wire type, or nil at the end of the message.
    mutating func nextField() throws -> (number: UInt64, wireType: ProtobufWireType)? {
        if isAtEnd { return nil }
        let tag = try readVarint()
        let number = tag >> 3
        guard number > 0 else { throw error("a field number of 0") }
        guard let wireType = ProtobufWireType(rawValue: UInt8(tag & 0x7)) else {
            throw error("an unknown wire type \(tag & 0x7) for field \(number)")
        }
        return (number, wireType)
    }

    /// A base-128 varint (at most 10 bytes).
    mutating func readVarint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < bytes.endIndex else { throw error("a truncated varint") }
            let byte = bytes[index]
            index += 1
            if shift == 63, byte > 1 { throw error("a varint overflowing 64 bits") }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            guard shift < 64 else { throw error("a varint longer than 10 bytes") }
        }
    }

    /// The payload of a length-delimited field.
    mutating func readLengthDelimited() throws -> ArraySlice<UInt8> {
        let length = try readVarint()
        guard length <= UInt64(bytes.endIndex - index) else {
            throw error("a length of \(length) bytes with only \(bytes.endIndex - index) left")
        }
        let start = index
        index += Int(length)
        return bytes[start..<index]
    }

    /// A UTF-8 string field.
    mutating func readString(field: String) throws -> String {
        let payload = try readLengthDelimited()
        guard let string = String(validating: payload, as: UTF8.self) else {
            throw error("invalid UTF-8 in \(field)")
        }
        return string
    }

    /// Skips a field's value of the given wire type.
    mutating func skip(_ wireType: ProtobufWireType) throws {
        switch wireType {
        case .varint: _ = try readVarint()
        case .fixed64: try advance(8)
        case .fixed32: try advance(4)
        case .lengthDelimited: _ = try readLengthDelimited()
        case .startGroup, .endGroup: throw error("a deprecated group field")
        }
    }

    /// Checks that a field has the wire type its schema declares.
    func expect(_ wireType: ProtobufWireType, actual: ProtobufWireType, field: String) throws {
        guard wireType == actual else {
            throw error("wire type \(actual.rawValue) for \(field), which expects \(wireType.rawValue)")
        }
    }

    private mutating func advance(_ count: Int) throws {
        guard bytes.endIndex - index >= count else { throw error("a truncated fixed-width field") }
        index += count
    }

    func error(_ what: String) -> ProtobufDecodingError {
        ProtobufDecodingError("invalid protobuf \(context): found \(what)")
    }
}
