import Foundation
import KubernetesAPI

/// Decoders for the apimachinery messages embedded in core objects, producing their JSON form.
/// Empty strings and zero numbers are how protobuf encodes "unset": they are left out of the JSON.
enum ProtobufMessages {
    /// Reads every field of a message, passing each to `handle`; unknown fields (`handle` returns false) are skipped.
    static func forEachField(
        _ bytes: ArraySlice<UInt8>, context: String,
        _ handle: (inout ProtobufReader, UInt64, ProtobufWireType) throws -> Bool
    ) throws {
        var reader = ProtobufReader(bytes, context: context)
        while let (number, wireType) = try reader.nextField() {
            if try !handle(&reader, number, wireType) { try reader.skip(wireType) }
        }
    }

    /// A string field, or nil for the empty string.
    static func string(_ reader: inout ProtobufReader, _ wireType: ProtobufWireType, field: String) throws -> JSONValue? {
        try reader.expect(.lengthDelimited, actual: wireType, field: field)
        let value = try reader.readString(field: field)
        // JSONValue is ExpressibleByNilLiteral: spell out Optional.none so "unset" is not `null`.
        if value.isEmpty { return Optional.none }
        return .string(value)
    }

    /// A varint field read as a signed 64-bit integer.
    static func int64(_ reader: inout ProtobufReader, _ wireType: ProtobufWireType, field: String) throws -> Int64 {
        try reader.expect(.varint, actual: wireType, field: field)
        return Int64(bitPattern: try reader.readVarint())
    }

    /// A map entry `{1: key, 2: value}`; `value` decodes the value field's payload.
    static func mapEntry(
        _ bytes: ArraySlice<UInt8>, context: String, value decode: (ArraySlice<UInt8>) throws -> JSONValue
    ) throws -> (String, JSONValue) {
        var key = ""
        var value = try decode([])
        try forEachField(bytes, context: context) { reader, number, wireType in
            switch number {
            case 1:
                try reader.expect(.lengthDelimited, actual: wireType, field: "\(context) key")
                key = try reader.readString(field: "\(context) key")
            case 2:
                try reader.expect(.lengthDelimited, actual: wireType, field: "\(context) value")
                value = try decode(try reader.readLengthDelimited())
            default:
                return false
            }
            return true
        }
        return (key, value)
    }

    /// Reads a `map<string,string>` entry field into `map`.
    static func readStringMapEntry(
        _ reader: inout ProtobufReader, _ wireType: ProtobufWireType, field: String, into map: inout [String: JSONValue]
    ) throws {
        try reader.expect(.lengthDelimited, actual: wireType, field: field)
        let (key, value) = try mapEntry(try reader.readLengthDelimited(), context: field) { try stringValue($0, field: field) }
        map[key] = value
    }

    /// Reads a `map<string,bytes>` entry field into `map` (values as base64).
    static func readBytesMapEntry(
        _ reader: inout ProtobufReader, _ wireType: ProtobufWireType, field: String, into map: inout [String: JSONValue]
    ) throws {
        try reader.expect(.lengthDelimited, actual: wireType, field: field)
        let (key, value) = try mapEntry(try reader.readLengthDelimited(), context: field, value: bytesValue)
        map[key] = value
    }

    /// Reads an embedded `ObjectMeta` field.
    static func readObjectMeta(_ reader: inout ProtobufReader, _ wireType: ProtobufWireType) throws -> JSONValue {
        try reader.expect(.lengthDelimited, actual: wireType, field: "metadata")
        return try objectMeta(try reader.readLengthDelimited())
    }

    /// A bool (varint) field.
    static func bool(_ reader: inout ProtobufReader, _ wireType: ProtobufWireType, field: String) throws -> JSONValue {
        .bool(try int64(&reader, wireType, field: field) != 0)
    }

    /// A `map<string,string>` value payload.
    static func stringValue(_ payload: ArraySlice<UInt8>, field: String) throws -> JSONValue {
        guard let string = String(validating: payload, as: UTF8.self) else {
            throw ProtobufDecodingError("invalid protobuf \(field): found invalid UTF-8")
        }
        return .string(string)
    }

    /// A `map<string,bytes>` value payload, as base64 (the JSON form of bytes).
    static func bytesValue(_ payload: ArraySlice<UInt8>) -> JSONValue {
        .string(Data(payload).base64EncodedString())
    }

    private static let objectMetaStrings: [UInt64: String] = [
        1: "name", 2: "generateName", 3: "namespace", 5: "uid", 6: "resourceVersion",
    ]
    private static let ownerReferenceStrings: [UInt64: String] = [1: "kind", 3: "name", 4: "uid", 5: "apiVersion"]

    /// `ObjectMeta`: name 1, generateName 2, namespace 3, uid 5, resourceVersion 6, generation 7,
    /// creationTimestamp 8, labels 11, annotations 12, ownerReferences 13, finalizers 14.
    static func objectMeta(_ bytes: ArraySlice<UInt8>) throws -> JSONValue {
        let context = "ObjectMeta"
        var meta: [String: JSONValue] = [:]
        var labels: [String: JSONValue] = [:]
        var annotations: [String: JSONValue] = [:]
        var finalizers: [JSONValue] = []
        var ownerReferences: [JSONValue] = []
        try forEachField(bytes, context: context) { reader, number, wireType in
            if let name = objectMetaStrings[number] {
                if let value = try string(&reader, wireType, field: "metadata.\(name)") { meta[name] = value }
                return true
            }
            switch number {
            case 7:
                let generation = try int64(&reader, wireType, field: "metadata.generation")
                if generation != 0 { meta["generation"] = .int(generation) }
            case 8:
                try reader.expect(.lengthDelimited, actual: wireType, field: "metadata.creationTimestamp")
                if let time = try self.time(try reader.readLengthDelimited()) { meta["creationTimestamp"] = time }
            case 11:
                try readStringMapEntry(&reader, wireType, field: "metadata.labels", into: &labels)
            case 12:
                try readStringMapEntry(&reader, wireType, field: "metadata.annotations", into: &annotations)
            case 13:
                try reader.expect(.lengthDelimited, actual: wireType, field: "metadata.ownerReferences")
                ownerReferences.append(try ownerReference(try reader.readLengthDelimited()))
            case 14:
                try reader.expect(.lengthDelimited, actual: wireType, field: "metadata.finalizers")
                finalizers.append(.string(try reader.readString(field: "metadata.finalizers")))
            default:
                return false
            }
            return true
        }
        if !labels.isEmpty { meta["labels"] = .object(labels) }
        if !annotations.isEmpty { meta["annotations"] = .object(annotations) }
        if !finalizers.isEmpty { meta["finalizers"] = .array(finalizers) }
        if !ownerReferences.isEmpty { meta["ownerReferences"] = .array(ownerReferences) }
        return .object(meta)
    }

    /// `OwnerReference`: kind 1, name 3, uid 4, apiVersion 5, controller 6, blockOwnerDeletion 7.
    static func ownerReference(_ bytes: ArraySlice<UInt8>) throws -> JSONValue {
        var reference: [String: JSONValue] = [:]
        try forEachField(bytes, context: "OwnerReference") { reader, number, wireType in
            if let name = ownerReferenceStrings[number] {
                reference[name] = try string(&reader, wireType, field: "ownerReferences.\(name)") ?? ""
                return true
            }
            guard number == 6 || number == 7 else { return false }
            let name = number == 6 ? "controller" : "blockOwnerDeletion"
            reference[name] = try bool(&reader, wireType, field: "ownerReferences.\(name)")
            return true
        }
        return .object(reference)
    }

    /// `Time` {seconds 1, nanos 2} as RFC 3339 in UTC to the second; nil for the zero time (unset).
    static func time(_ bytes: ArraySlice<UInt8>) throws -> JSONValue? {
        var seconds: Int64 = 0
        try forEachField(bytes, context: "Time") { reader, number, wireType in
            guard number == 1 else { return false }
            seconds = try int64(&reader, wireType, field: "Time.seconds")
            return true
        }
        guard seconds != 0 else { return nil }
        return .string(rfc3339(seconds: seconds))
    }

    /// `2026-11-21T05:31:06Z` for Unix seconds.
    static func rfc3339(seconds: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T"
            + "\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))Z"
    }
}
