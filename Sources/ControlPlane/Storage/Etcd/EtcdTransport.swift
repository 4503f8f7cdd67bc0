import Foundation
import KubernetesAPI

/// How ``EtcdObjectStore`` talks to etcd: unary calls and watch streams of the v3 API, as JSON.
///
/// ``EtcdHTTPTransport`` speaks etcd's HTTP/JSON gateway; a gRPC transport could take its place
/// without touching the store.
public protocol EtcdTransport: Sendable {
    /// Sends one unary request, `method` naming the RPC as the gateway does (`kv/range`, `kv/txn`,
    /// `kv/compaction`, `maintenance/status`), and returns the JSON answer. An error answer from etcd throws.
    func call(_ method: String, _ request: JSONValue) async throws -> Data

    /// Opens a watch (`request` is a `create_request`) and returns its messages' bytes as they arrive;
    /// cancelling the task that iterates them closes the watch.
    func watch(_ request: JSONValue) async throws -> any AsyncSequence<Data, any Error> & Sendable

    /// Closes every connection; the transport is unusable afterwards.
    func shutdown() async throws
}
