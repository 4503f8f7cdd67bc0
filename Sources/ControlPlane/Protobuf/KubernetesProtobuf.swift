import Foundation
import KubernetesAPI

/// Decodes the protobuf request bodies kubectl 1.32+ sends for `create namespace|configmap|secret|
/// deployment|service|serviceaccount|role|rolebinding|clusterrole|clusterrolebinding|token`
/// (`Content-Type: application/vnd.kubernetes.protobuf`) into the equivalent JSON object.
///
/// A body is the magic `k8s\0` followed by a `runtime.Unknown`: TypeMeta (1: apiVersion, kind),
/// raw object bytes (2), contentEncoding (3) and contentType (4). Only core/v1 Namespace, ConfigMap,
/// Secret, Service and ServiceAccount, apps/v1 Deployment (``WorkloadProtobufKinds``), the RBAC kinds
/// and the review kinds (``SecurityProtobufKinds``) are understood; anything else is a
/// ``ProtobufDecodingError``. The namespace of a namespaced object comes from the URL, not from here.
public enum KubernetesProtobuf {
    /// The four bytes every Kubernetes protobuf body starts with: `k8s\0`.
    public static let magic: [UInt8] = [0x6B, 0x38, 0x73, 0x00]

    /// The core/v1 kinds ``decodeObject(_:)`` understands (besides ServiceAccount; see the type's description for the rest).
    public static let supportedKinds: Set<String> = ["Namespace", "ConfigMap", "Secret", "Service"]

    /// Whether bodies of `kind` in `apiVersion` are decoded by ``decodeObject(_:)``; an endpoint of
    /// another kind answers a protobuf body with 415.
    static func understands(apiVersion: String, kind: String) -> Bool {
        switch apiVersion {
        case "v1": supportedKinds.contains(kind) || kind == "ServiceAccount"
        case "\(BuiltinResources.rbacGroup)/v1": SecurityProtobufKinds.kinds.contains(kind)
        default: WorkloadProtobufKinds.schemas["\(apiVersion)/\(kind)"] != nil
        }
    }

    /// Every kind understood, for errors.
    static let understood = "v1 \(supportedKinds.union(["ServiceAccount"]).sorted().joined(separator: ", ")), apps/v1 Deployment and the rbac.authorization.k8s.io/v1 kinds"

    /// True when `bytes` begin with the magic prefix.
    public static func hasMagic(_ bytes: some Collection<UInt8>) -> Bool {
        bytes.starts(with: magic)
    }

    /// Decodes a body into the object's JSON form (`apiVersion`, `kind`, `metadata`, and the kind's fields).
    public static func decodeObject(_ body: Data) throws -> JSONValue {
        try decodeObject([UInt8](body))
    }

    /// Decodes a body into the object's JSON form (`apiVersion`, `kind`, `metadata`, and the kind's fields).
    public static func decodeObject(_ body: [UInt8]) throws -> JSONValue {
        guard hasMagic(body) else {
            throw ProtobufDecodingError("invalid protobuf body: it does not start with the Kubernetes magic bytes \"k8s\\x00\"")
        }
        let envelope = try unknown(body[magic.count...])
        if envelope.apiVersion != "v1" || envelope.kind == "ServiceAccount", SecurityProtobufKinds.kinds.contains(envelope.kind),
            var object = try SecurityProtobufKinds.decode(kind: envelope.kind, envelope.raw)
        {
            object["apiVersion"] = .string(envelope.apiVersion)
            object["kind"] = .string(envelope.kind)
            return .object(object)
        }
        if var object = try WorkloadProtobufKinds.decode(apiVersion: envelope.apiVersion, kind: envelope.kind, envelope.raw) {
            object["apiVersion"] = .string(envelope.apiVersion)
            object["kind"] = .string(envelope.kind)
            return .object(object)
        }
        guard envelope.apiVersion == "v1" else {
            throw ProtobufDecodingError(
                "protobuf bodies are supported for \(understood), not apiVersion \"\(envelope.apiVersion)\"; send JSON instead")
        }
        var object: [String: JSONValue]
        switch envelope.kind {
        case "Namespace": object = try CoreProtobufKinds.namespace(envelope.raw)
        case "ConfigMap": object = try CoreProtobufKinds.configMap(envelope.raw)
        case "Secret": object = try CoreProtobufKinds.secret(envelope.raw)
        default:
            throw ProtobufDecodingError(
                "protobuf bodies are supported for \(understood), not kind \"\(envelope.kind)\"; send JSON instead")
        }
        object["apiVersion"] = .string(envelope.apiVersion)
        object["kind"] = .string(envelope.kind)
        return .object(object)
    }

    /// `runtime.Unknown` without its magic: the TypeMeta and the raw object bytes.
    static func unknown(_ bytes: ArraySlice<UInt8>) throws -> (apiVersion: String, kind: String, raw: ArraySlice<UInt8>) {
        var apiVersion = "", kind = ""
        var raw: ArraySlice<UInt8>?
        var contentEncoding = ""
        try ProtobufMessages.forEachField(bytes, context: "runtime.Unknown") { reader, number, wireType in
            switch number {
            case 1:
                try reader.expect(.lengthDelimited, actual: wireType, field: "typeMeta")
                try ProtobufMessages.forEachField(try reader.readLengthDelimited(), context: "TypeMeta") { meta, field, type in
                    guard field == 1 || field == 2 else { return false }
                    try meta.expect(.lengthDelimited, actual: type, field: field == 1 ? "apiVersion" : "kind")
                    let value = try meta.readString(field: field == 1 ? "apiVersion" : "kind")
                    if field == 1 { apiVersion = value } else { kind = value }
                    return true
                }
            case 2:
                try reader.expect(.lengthDelimited, actual: wireType, field: "raw")
                raw = try reader.readLengthDelimited()
            case 3:
                try reader.expect(.lengthDelimited, actual: wireType, field: "contentEncoding")
                contentEncoding = try reader.readString(field: "contentEncoding")
            default:
                return false
            }
            return true
        }
        guard !kind.isEmpty else { throw ProtobufDecodingError("invalid protobuf body: the runtime.Unknown envelope has no kind") }
        guard let raw else { throw ProtobufDecodingError("invalid protobuf body: the runtime.Unknown envelope has no object bytes") }
        guard contentEncoding.isEmpty else {
            throw ProtobufDecodingError("protobuf bodies with content encoding \"\(contentEncoding)\" are not supported")
        }
        return (apiVersion, kind, raw)
    }
}

/// The core/v1 kinds kubectl sends as protobuf.
enum CoreProtobufKinds {
    /// `Namespace`: metadata 1, spec 2 {finalizers 1}, status 3 {phase 1}.
    static func namespace(_ bytes: ArraySlice<UInt8>) throws -> [String: JSONValue] {
        var object: [String: JSONValue] = ["metadata": [:]]
        try ProtobufMessages.forEachField(bytes, context: "Namespace") { reader, number, wireType in
            guard (1...3).contains(number) else { return false }
            try reader.expect(.lengthDelimited, actual: wireType, field: "Namespace field \(number)")
            let payload = try reader.readLengthDelimited()
            switch number {
            case 1:
                object["metadata"] = try ProtobufMessages.objectMeta(payload)
            case 2:
                var finalizers: [JSONValue] = []
                try ProtobufMessages.forEachField(payload, context: "NamespaceSpec") { spec, field, type in
                    guard field == 1 else { return false }
                    try spec.expect(.lengthDelimited, actual: type, field: "spec.finalizers")
                    finalizers.append(.string(try spec.readString(field: "spec.finalizers")))
                    return true
                }
                if !finalizers.isEmpty { object["spec"] = ["finalizers": .array(finalizers)] }
            default:
                var status: [String: JSONValue] = [:]
                try ProtobufMessages.forEachField(payload, context: "NamespaceStatus") { reader, field, type in
                    guard field == 1 else { return false }
                    status["phase"] = try ProtobufMessages.string(&reader, type, field: "status.phase")
                    return true
                }
                if !status.isEmpty { object["status"] = .object(status) }
            }
            return true
        }
        return object
    }

    /// `ConfigMap`: metadata 1, data 2 (map<string,string>), binaryData 3 (map<string,bytes>), immutable 4.
    static func configMap(_ bytes: ArraySlice<UInt8>) throws -> [String: JSONValue] {
        var object: [String: JSONValue] = ["metadata": [:]]
        var data: [String: JSONValue] = [:], binaryData: [String: JSONValue] = [:]
        try ProtobufMessages.forEachField(bytes, context: "ConfigMap") { reader, number, wireType in
            switch number {
            case 1: object["metadata"] = try ProtobufMessages.readObjectMeta(&reader, wireType)
            case 2: try ProtobufMessages.readStringMapEntry(&reader, wireType, field: "data", into: &data)
            case 3: try ProtobufMessages.readBytesMapEntry(&reader, wireType, field: "binaryData", into: &binaryData)
            case 4: object["immutable"] = try ProtobufMessages.bool(&reader, wireType, field: "immutable")
            default: return false
            }
            return true
        }
        if !data.isEmpty { object["data"] = .object(data) }
        if !binaryData.isEmpty { object["binaryData"] = .object(binaryData) }
        return object
    }

    /// `Secret`: metadata 1, data 2 (map<string,bytes>), type 3 (default `Opaque`), stringData 4, immutable 5.
    static func secret(_ bytes: ArraySlice<UInt8>) throws -> [String: JSONValue] {
        var object: [String: JSONValue] = ["metadata": [:], "type": "Opaque"]
        var data: [String: JSONValue] = [:], stringData: [String: JSONValue] = [:]
        try ProtobufMessages.forEachField(bytes, context: "Secret") { reader, number, wireType in
            switch number {
            case 1: object["metadata"] = try ProtobufMessages.readObjectMeta(&reader, wireType)
            case 2: try ProtobufMessages.readBytesMapEntry(&reader, wireType, field: "data", into: &data)
            case 3:
                if let type = try ProtobufMessages.string(&reader, wireType, field: "type") { object["type"] = type }
            case 4: try ProtobufMessages.readStringMapEntry(&reader, wireType, field: "stringData", into: &stringData)
            case 5: object["immutable"] = try ProtobufMessages.bool(&reader, wireType, field: "immutable")
            default: return false
            }
            return true
        }
        if !data.isEmpty { object["data"] = .object(data) }
        if !stringData.isEmpty { object["stringData"] = .object(stringData) }
        return object
    }
}
