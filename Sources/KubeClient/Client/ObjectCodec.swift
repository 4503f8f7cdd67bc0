import Foundation
import KubernetesAPI

/// One decoded line of a watch stream.
public enum DecodedWatchEvent<Object: Sendable>: Sendable {
    /// ADDED, MODIFIED or DELETED with the object.
    case object(WatchEventType, Object)
    /// BOOKMARK carrying only a resourceVersion (nil if it had none).
    case bookmark(resourceVersion: String?)
    /// ERROR carrying a Status.
    case error(Status)
}

/// A decoded list response: the items that decoded, the list's metadata, and the items that did not.
public struct DecodedList<Object: Sendable>: Sendable {
    /// The items that decoded, in the server's order.
    public var items: [Object]
    /// Revision and continuation.
    public var metadata: ListMeta
    /// The items the typed decoder refused.
    public var undecodable: [UndecodableObject]

    /// Creates a decoded list.
    public init(items: [Object], metadata: ListMeta, undecodable: [UndecodableObject] = []) {
        self.items = items
        self.metadata = metadata
        self.undecodable = undecodable
    }
}

extension DecodedList where Object: Decodable {
    /// Decodes each item on its own, so one bad item costs only itself (the slow path, taken only
    /// when the whole list does not decode at once).
    static func itemByItem(_ data: Data) throws -> DecodedList<Object> {
        let v = try JSONValue(parsing: data)
        let meta = try v["metadata"].map { try $0.decode(ListMeta.self) } ?? ListMeta()
        guard let raw = v["items"]?.arrayValue else {
            if v["items"] == nil || v["items"] == .null { return DecodedList(items: [], metadata: meta) }
            throw KubeTransportError(.invalidResponse, "list items is not an array")
        }
        var out = DecodedList(items: [], metadata: meta)
        for item in raw {
            switch UndecodableObject.decode(Object.self, from: item) {
            case .success(let object): out.items.append(object)
            case .failure(let bad): out.undecodable.append(bad)
            }
        }
        return out
    }
}

/// How objects of one representation are decoded, encoded and read for metadata.
/// Typed clients use `JSONDecoder`; dynamic clients use `JSONValue`.
public struct ObjectCodec<Object: Sendable>: Sendable {
    /// Decodes an object from JSON.
    public let decode: @Sendable (Data) throws -> Object
    /// Encodes an object as JSON, filling in `apiVersion` and `kind` when missing.
    public let encode: @Sendable (Object) throws -> Data
    /// Decodes one watch-stream line.
    public let decodeEvent: @Sendable (Data) throws -> DecodedWatchEvent<Object>
    /// Decodes a list response into its items and list metadata; items that do not decode are set
    /// apart in `undecodable` instead of failing the whole list.
    public let decodeList: @Sendable (Data) throws -> DecodedList<Object>
    /// The object's metadata (at least name, namespace, uid, resourceVersion and labels).
    public let metadata: @Sendable (Object) -> ObjectMeta

    /// Creates a codec from its parts.
    public init(
        decode: @escaping @Sendable (Data) throws -> Object, encode: @escaping @Sendable (Object) throws -> Data,
        decodeList: @escaping @Sendable (Data) throws -> DecodedList<Object>,
        decodeEvent: @escaping @Sendable (Data) throws -> DecodedWatchEvent<Object>, metadata: @escaping @Sendable (Object) -> ObjectMeta
    ) {
        self.decode = decode
        self.encode = encode
        self.decodeEvent = decodeEvent
        self.decodeList = decodeList
        self.metadata = metadata
    }
}

private struct EventTypeProbe: Decodable { var type: WatchEventType }
private struct BookmarkProbe: Decodable {
    struct Obj: Decodable { var metadata: ListMeta? }
    var object: Obj?
}

extension ObjectCodec where Object: KubeResource {
    /// The codec of a typed resource.
    public static var typed: ObjectCodec<Object> {
        ObjectCodec(
            decode: { try JSONDecoder().decode(Object.self, from: $0) },
            encode: { obj in
                var v = try JSONValue(encoding: obj)
                if v["apiVersion"] == nil { v["apiVersion"] = .string(Object.apiVersion) }
                if v["kind"] == nil { v["kind"] = .string(Object.kind) }
                return v.jsonData()
            },
            decodeList: { data in
                if let list = try? JSONDecoder().decode(KubeList<Object>.self, from: data) {
                    return DecodedList(items: list.items, metadata: list.metadata)
                }
                return try DecodedList.itemByItem(data)
            },
            decodeEvent: { line in
                let d = JSONDecoder()
                let type = try d.decode(EventTypeProbe.self, from: line).type
                switch type {
                case .bookmark: return .bookmark(resourceVersion: try d.decode(BookmarkProbe.self, from: line).object?.metadata?.resourceVersion)
                case .error:
                    guard let obj = (try? JSONValue(parsing: line))?["object"], let status = Status.decodeLeniently(obj) else {
                        throw KubeTransportError(.invalidResponse, "watch ERROR event without a Status object")
                    }
                    return .error(status)
                default:
                    if let event = try? d.decode(WatchEvent<Object>.self, from: line) { return .object(type, event.object) }
                    // Set the object apart: the stream goes on, and its resourceVersion still counts.
                    guard let raw = try JSONValue(parsing: line)["object"] else {
                        throw KubeTransportError(.invalidResponse, "watch \(type.rawValue) event without an object")
                    }
                    switch UndecodableObject.decode(Object.self, from: raw, eventType: type) {
                    case .success(let object): return .object(type, object)
                    case .failure(let bad): throw bad
                    }
                }
            },
            metadata: { $0.metadata })
    }
}

extension ObjectCodec where Object == JSONValue {
    /// The codec of unstructured objects; `apiVersion` and `kind` are filled in on encode when missing.
    public static func dynamic(apiVersion: String, kind: String?) -> ObjectCodec<JSONValue> {
        ObjectCodec(
            decode: { try JSONValue(parsing: $0) },
            encode: { obj in
                var v = obj
                if v["apiVersion"] == nil { v["apiVersion"] = .string(apiVersion) }
                if let kind, v["kind"] == nil { v["kind"] = .string(kind) }
                return v.jsonData()
            },
            decodeList: { data in
                let v = try JSONValue(parsing: data)
                let meta = try v["metadata"].map { try $0.decode(ListMeta.self) } ?? ListMeta()
                return DecodedList(items: v["items"]?.arrayValue ?? [], metadata: meta)
            },
            decodeEvent: { line in
                let v = try JSONValue(parsing: line)
                guard let t = v["type"]?.stringValue, let type = WatchEventType(rawValue: t), let obj = v["object"] else {
                    throw KubeTransportError(.invalidResponse, "watch event without a valid type and object")
                }
                switch type {
                case .bookmark: return .bookmark(resourceVersion: obj.value(at: ["metadata", "resourceVersion"])?.stringValue)
                case .error:
                    guard let status = Status.decodeLeniently(obj) else {
                        throw KubeTransportError(.invalidResponse, "watch ERROR event without a Status object")
                    }
                    return .error(status)
                default: return .object(type, obj)
                }
            },
            metadata: { JSONValue.objectMeta(of: $0) })
    }
}

extension JSONValue {
    /// The identifying metadata of an unstructured object: name, generateName, namespace, uid,
    /// resourceVersion, generation, labels, annotations, finalizers and deletionTimestamp.
    public static func objectMeta(of object: JSONValue) -> ObjectMeta {
        guard let m = object["metadata"] else { return ObjectMeta() }
        func strings(_ key: String) -> [String: String]? {
            guard let o = m[key]?.objectValue else { return nil }
            return o.compactMapValues(\.stringValue)
        }
        return ObjectMeta(
            name: m["name"]?.stringValue, generateName: m["generateName"]?.stringValue,
            namespace: m["namespace"]?.stringValue, uid: m["uid"]?.stringValue,
            resourceVersion: m["resourceVersion"]?.stringValue, generation: m["generation"]?.intValue,
            deletionTimestamp: m["deletionTimestamp"]?.stringValue.flatMap { KubeTime(rfc3339: $0) },
            labels: strings("labels"), annotations: strings("annotations"),
            finalizers: m["finalizers"]?.arrayValue?.compactMap(\.stringValue))
    }
}
