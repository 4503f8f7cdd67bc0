/// A minimal protobuf writer for building test messages by hand.
enum ProtobufTestEncoder {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value != 0
        return bytes
    }

    /// A length-delimited field.
    static func field(_ number: UInt64, _ payload: [UInt8]) -> [UInt8] {
        varint(number << 3 | 2) + varint(UInt64(payload.count)) + payload
    }

    /// A string field.
    static func field(_ number: UInt64, _ text: String) -> [UInt8] {
        field(number, Array(text.utf8))
    }

    /// A varint field.
    static func varintField(_ number: UInt64, _ value: UInt64) -> [UInt8] {
        varint(number << 3) + varint(value)
    }

    /// A map entry field `{1: key, 2: value}`.
    static func entry(_ number: UInt64, _ key: String, _ value: [UInt8]) -> [UInt8] {
        field(number, field(1, key) + field(2, value))
    }

    /// The full body: magic, runtime.Unknown with TypeMeta, raw bytes and empty content fields.
    static func body(apiVersion: String = "v1", kind: String, raw: [UInt8]) -> [UInt8] {
        [0x6B, 0x38, 0x73, 0x00]
            + field(1, field(1, apiVersion) + field(2, kind))
            + field(2, raw)
            + field(3, "") + field(4, "")
    }
}
