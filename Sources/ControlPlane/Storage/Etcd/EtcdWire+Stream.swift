import Foundation
import KubernetesAPI

/// Watch stream messages read with Concord's own JSON parser instead of `JSONDecoder`: one parse
/// into a `JSONValue` and direct field reads, which costs a fraction of `Decodable`'s keyed containers
/// on every message a watch delivers.
extension EtcdWire {
    /// Parses one line of a `/v3/watch` stream.
    static func streamMessage(_ data: Data) throws -> StreamMessage {
        let json: JSONValue
        do {
            json = try CompactJSON.decode(data)
        } catch {
            throw StorageError(.internalError, message: "etcd sent a watch message Concord cannot read: \(error)")
        }
        guard case .object(let fields) = json else {
            throw StorageError(.internalError, message: "etcd sent a watch message that is not a JSON object")
        }
        var message = StreamMessage()
        if case .object(let error)? = fields["error"] {
            message.error = ErrorBody(code: error["code"]?.intValue.map { Int($0) }, message: error["message"]?.stringValue, http_code: nil)
        }
        if case .object(let result)? = fields["result"] {
            message.result = WatchResponse(
                header: result["header"]?["revision"].map { Header(revision: int64String($0)) },
                created: result["created"]?.boolValue, canceled: result["canceled"]?.boolValue,
                compact_revision: result["compact_revision"].flatMap(int64String), cancel_reason: result["cancel_reason"]?.stringValue,
                events: result["events"]?.arrayValue?.map { event in
                    Event(type: event["type"]?.stringValue, kv: event["kv"].map(keyValue), prev_kv: event["prev_kv"].map(keyValue))
                })
        }
        return message
    }

    private static func keyValue(_ json: JSONValue) -> KeyValue {
        KeyValue(
            key: json["key"]?.stringValue, create_revision: json["create_revision"].flatMap(int64String),
            mod_revision: json["mod_revision"].flatMap(int64String), version: json["version"].flatMap(int64String),
            value: json["value"]?.stringValue)
    }

    /// The gateway writes int64 values as strings; a number is taken as well.
    private static func int64String(_ json: JSONValue) -> String? {
        json.stringValue ?? json.intValue.map { String($0) }
    }
}
