import Foundation
import KubernetesAPI

/// The JSON messages of etcd's v3 HTTP gateway: keys and values are base64, int64 values are strings,
/// and fields at their zero value are left out.
enum EtcdWire {
    /// A response header; `revision` is the store's revision when the request was served.
    struct Header: Decodable, Sendable {
        var revision: String?

        var revisionValue: Int64 { revision.flatMap(Int64.init) ?? 0 }
    }

    /// One stored key.
    struct KeyValue: Decodable, Sendable {
        var key: String?
        var create_revision: String?
        var mod_revision: String?
        var version: String?
        var value: String?

        var keyBytes: Data { key.flatMap { Data(base64Encoded: $0) } ?? Data() }
        var valueBytes: Data { value.flatMap { Data(base64Encoded: $0) } ?? Data() }
        var modRevision: Int64 { mod_revision.flatMap(Int64.init) ?? 0 }
        var createRevision: Int64 { create_revision.flatMap(Int64.init) ?? 0 }
        var versionValue: Int64 { version.flatMap(Int64.init) ?? 0 }
    }

    /// `/v3/kv/range`.
    struct RangeResponse: Decodable, Sendable {
        var header: Header?
        var kvs: [KeyValue]?
        var more: Bool?
        var count: String?
    }

    /// `/v3/kv/deleterange` inside a txn.
    struct DeleteResponse: Decodable, Sendable {
        var header: Header?
        var prev_kvs: [KeyValue]?
    }

    /// One result of a txn branch.
    struct ResponseOp: Decodable, Sendable {
        var response_range: RangeResponse?
        var response_delete_range: DeleteResponse?
    }

    /// `/v3/kv/txn`.
    struct TxnResponse: Decodable, Sendable {
        var header: Header?
        var succeeded: Bool?
        var responses: [ResponseOp]?
    }

    /// One change delivered by a watch.
    struct Event: Decodable, Sendable {
        var type: String?
        var kv: KeyValue?
        var prev_kv: KeyValue?
    }

    /// One message of a `/v3/watch` stream.
    struct WatchResponse: Decodable, Sendable {
        var header: Header?
        var created: Bool?
        var canceled: Bool?
        var compact_revision: String?
        var cancel_reason: String?
        var events: [Event]?
    }

    /// The envelope of a streamed message: a result or an error.
    struct StreamMessage: Decodable, Sendable {
        var result: WatchResponse?
        var error: ErrorBody?
    }

    /// A gateway error body (`{"error": …, "code": 11, "message": …}`).
    struct ErrorBody: Decodable, Sendable {
        var code: Int?
        var message: String?
        var http_code: Int?
    }

    static func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw StorageError(.internalError, message: "etcd sent a response Concord cannot read: \(error)")
        }
    }

    static func base64(_ s: String) -> JSONValue { .string(Data(s.utf8).base64EncodedString()) }
    static func base64(_ d: Data) -> JSONValue { .string(d.base64EncodedString()) }
    static func int(_ v: Int64) -> JSONValue { .string(String(v)) }

    /// The end of the range holding every key that starts with `prefix` (the prefix with its last byte plus one).
    static func rangeEnd(ofPrefix prefix: String) -> JSONValue {
        var bytes = Array(prefix.utf8)
        while let last = bytes.last {
            if last < 0xFF {
                bytes[bytes.count - 1] = last + 1
                return base64(Data(bytes))
            }
            bytes.removeLast()
        }
        return base64(Data([0]))
    }

    /// A compare of a key's mod_revision (0: the key does not exist).
    static func modRevisionEquals(_ key: String, _ revision: Int64) -> JSONValue {
        ["key": base64(key), "target": "MOD", "result": "EQUAL", "mod_revision": int(revision)]
    }

    /// A `request_range` txn operation for one key.
    static func rangeOp(_ key: String) -> JSONValue { ["request_range": ["key": base64(key)]] }
}

/// An error answer from etcd: a gRPC status code and its message.
struct EtcdServerError: Error, Sendable, CustomStringConvertible {
    /// gRPC codes etcd answers with.
    enum GRPCCode: Int {
        case invalidArgument = 3, deadlineExceeded = 4, failedPrecondition = 9, outOfRange = 11, unavailable = 14
    }

    var code: Int
    var message: String

    var description: String { "etcd error \(code): \(message)" }

    /// `mvcc: required revision has been compacted`.
    var isCompacted: Bool { code == GRPCCode.outOfRange.rawValue && message.contains("compacted") }
    /// `etcdserver: request is too large`.
    var isTooLarge: Bool { message.contains("request is too large") }
    /// The member had no leader or could not serve the request, so it applied nothing: safe to send elsewhere.
    var refusedBeforeProposing: Bool { message.contains("no leader") || message.contains("not capable") }
    /// The member could not answer (no leader, a timed-out or dropped proposal, stopping): a read may go elsewhere.
    var isUnavailable: Bool {
        refusedBeforeProposing || code == GRPCCode.unavailable.rawValue || code == GRPCCode.deadlineExceeded.rawValue
            || message.contains("leader changed")
    }
}
