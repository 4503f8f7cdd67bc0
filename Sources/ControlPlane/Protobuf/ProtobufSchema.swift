import KubernetesAPI

/// One protobuf message of a Kubernetes kind as a table: per field number, the JSON name and how
/// its value reads.
///
/// Decoding follows how Kubernetes' generated marshallers write these messages. A field that is not
/// a pointer in the Go type is written even when zero (an empty string, 0, false), and its zero
/// means the same as its absence from JSON, so it is left out. A pointer field (``Field/present``)
/// is written only when set and is kept even when zero (`replicas: 0`). A field the table names but
/// this server does not decode (``ValueType/unsupported``), or does not name at all, is accepted
/// only while it is zero; anything else is an error that names it, so no part of a request is
/// dropped in silence.
struct ProtobufSchema: Sendable {
    /// How a field's value reads.
    indirect enum ValueType: Sendable {
        case string, int, bool
        /// An embedded message.
        case message(ProtobufSchema)
        /// An `ObjectMeta` (``ProtobufMessages/objectMeta(_:)``).
        case objectMeta
        /// `map<string, string>`.
        case stringMap
        /// `map<string, Quantity>` (a Quantity is a message with its string at 1).
        case quantityMap
        /// `IntOrString`: type 1 (0 int, 1 string), intVal 2, strVal 3.
        case intOrString
        /// Read past: a part the server sets itself (an object's `status` on create).
        case ignored
        /// Known but not decoded here: an error unless zero.
        case unsupported
    }

    /// One field.
    struct Field: Sendable {
        let name: String
        let type: ValueType
        var repeated = false
        /// A pointer in the Go type: written only when set, so kept even when zero.
        var present = false
    }

    /// The message's name, for errors (`PodSpec`).
    let name: String
    let fields: [UInt64: Field]

    /// Decodes one message into its JSON members.
    func decode(_ bytes: ArraySlice<UInt8>, path: String? = nil) throws -> [String: JSONValue] {
        let path = path ?? name
        var object: [String: JSONValue] = [:]
        var lists: [String: [JSONValue]] = [:]
        var maps: [String: [String: JSONValue]] = [:]
        try ProtobufMessages.forEachField(bytes, context: path) { reader, number, wireType in
            guard let field = fields[number] else {
                try Self.expectZero(&reader, wireType, field: "\(path) field \(number)")
                return true
            }
            let fieldPath = "\(path).\(field.name)"
            switch field.type {
            case .ignored:
                return false
            case .unsupported:
                try Self.expectZero(&reader, wireType, field: fieldPath)
            case .stringMap, .quantityMap:
                try reader.expect(.lengthDelimited, actual: wireType, field: fieldPath)
                let quantities = if case .quantityMap = field.type { true } else { false }
                let (key, value) = try ProtobufMessages.mapEntry(try reader.readLengthDelimited(), context: fieldPath) { payload in
                    quantities ? try Self.quantity(payload, field: fieldPath) : try ProtobufMessages.stringValue(payload, field: fieldPath)
                }
                maps[field.name, default: [:]][key] = value
            default:
                let value = try Self.value(field, &reader, wireType, path: fieldPath)
                if field.repeated {
                    lists[field.name, default: []].append(value ?? .string(""))
                } else if let value {
                    object[field.name] = value
                }
            }
            return true
        }
        for (name, list) in lists { object[name] = .array(list) }
        for (name, map) in maps { object[name] = .object(map) }
        return object
    }

    /// A scalar or message value; nil for a non-pointer scalar's zero (the same as absent).
    private static func value(_ field: Field, _ reader: inout ProtobufReader, _ wireType: ProtobufWireType, path: String) throws -> JSONValue? {
        let keepZero = field.present || field.repeated
        switch field.type {
        case .string:
            try reader.expect(.lengthDelimited, actual: wireType, field: path)
            let text = try reader.readString(field: path)
            return text.isEmpty && !keepZero ? Optional.none : .string(text)
        case .int:
            let number = try ProtobufMessages.int64(&reader, wireType, field: path)
            return number == 0 && !keepZero ? Optional.none : .int(number)
        case .bool:
            let flag = try ProtobufMessages.int64(&reader, wireType, field: path) != 0
            return !flag && !keepZero ? Optional.none : .bool(flag)
        case .message(let schema):
            try reader.expect(.lengthDelimited, actual: wireType, field: path)
            return .object(try schema.decode(try reader.readLengthDelimited(), path: path))
        case .objectMeta:
            return try ProtobufMessages.readObjectMeta(&reader, wireType)
        case .intOrString:
            try reader.expect(.lengthDelimited, actual: wireType, field: path)
            let value = try intOrString(try reader.readLengthDelimited(), field: path)
            return value == .int(0) && !keepZero ? Optional.none : value
        case .stringMap, .quantityMap, .ignored, .unsupported:
            return Optional.none
        }
    }

    /// `IntOrString` {type 1, intVal 2, strVal 3}.
    private static func intOrString(_ bytes: ArraySlice<UInt8>, field: String) throws -> JSONValue {
        var isString = false, intValue: Int64 = 0, text = ""
        try ProtobufMessages.forEachField(bytes, context: field) { reader, number, wireType in
            switch number {
            case 1: isString = try ProtobufMessages.int64(&reader, wireType, field: "\(field).type") == 1
            case 2: intValue = try ProtobufMessages.int64(&reader, wireType, field: "\(field).intVal")
            case 3:
                try reader.expect(.lengthDelimited, actual: wireType, field: "\(field).strVal")
                text = try reader.readString(field: "\(field).strVal")
            default: return false
            }
            return true
        }
        return isString ? .string(text) : .int(intValue)
    }

    /// A `Quantity` {string 1} as its string.
    private static func quantity(_ bytes: ArraySlice<UInt8>, field: String) throws -> JSONValue {
        var text = ""
        try ProtobufMessages.forEachField(bytes, context: field) { reader, number, wireType in
            guard number == 1 else { return false }
            try reader.expect(.lengthDelimited, actual: wireType, field: field)
            text = try reader.readString(field: field)
            return true
        }
        return .string(text)
    }

    /// Reads a field this server does not decode, which must be zero (how an unset field is written).
    private static func expectZero(_ reader: inout ProtobufReader, _ wireType: ProtobufWireType, field: String) throws {
        let zero: Bool
        switch wireType {
        case .varint: zero = try reader.readVarint() == 0
        case .lengthDelimited: zero = try reader.readLengthDelimited().isEmpty
        default:
            try reader.skip(wireType)
            zero = false
        }
        guard zero else {
            throw ProtobufDecodingError(
                "protobuf field \(field) is not supported by this server; send the object as JSON or YAML instead (kubectl apply -f FILE)")
        }
    }
}
