import Foundation
import KubeClient
import KubernetesAPI
import Synchronization

let configMapsGVR = GroupVersionResource(group: "", version: "v1", resource: "configmaps")

/// A ConfigMap as JSON.
func configMap(_ name: String, rv: String, namespace: String = "default", labels: [String: String] = [:]) -> JSONValue {
    var meta: JSONValue = ["name": .string(name), "namespace": .string(namespace), "resourceVersion": .string(rv)]
    if !labels.isEmpty { meta["labels"] = .object(labels.mapValues { .string($0) }) }
    return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": meta]
}

/// A ConfigMapList response.
func listResponse(_ items: [JSONValue], rv: String) -> KubeResponse {
    .json(200, ["apiVersion": "v1", "kind": "ConfigMapList", "metadata": ["resourceVersion": .string(rv)], "items": .array(items)])
}

/// The name of a JSON object.
func nameOf(_ o: JSONValue) -> String { o.value(at: ["metadata", "name"])?.stringValue ?? "" }

/// A fake API server for one collection: list answers come from a queue (the last repeats);
/// each watch gets the next scripted stream, or a fresh one that stays open (kept for `send`).
final class FakeCollection: Sendable {
    private final class Backend: Sendable {
        let lists: Mutex<[KubeResponse]>
        let scripted: Mutex<[FakeWatchStream]>
        let opened = Mutex<[FakeWatchStream]>([])
        init(lists: [KubeResponse], watches: [FakeWatchStream]) {
            self.lists = Mutex(lists)
            self.scripted = Mutex(watches)
        }
        func nextList() -> KubeResponse { lists.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] } }
        func nextWatch() -> KubeStreamingResponse {
            let stream = scripted.withLock { $0.isEmpty ? FakeWatchStream() : $0.removeFirst() }
            opened.withLock { $0.append(stream) }
            return stream.response
        }
    }

    private let backend: Backend
    let transport: FakeKubeTransport

    init(lists: [KubeResponse], watches: [FakeWatchStream] = []) {
        let b = Backend(lists: lists, watches: watches)
        backend = b
        transport = FakeKubeTransport(send: { _ in b.nextList() }, stream: { _ in b.nextWatch() })
    }

    /// The most recently opened watch stream.
    var currentWatch: FakeWatchStream? { backend.opened.withLock { $0.last } }
    /// The number of watches opened.
    var watchCount: Int { backend.opened.withLock { $0.count } }

    var client: DynamicResourceClient { KubeClient(transport: transport).dynamic(configMapsGVR, namespaced: true) }
}

/// A thread-safe event log.
final class EventLog: Sendable {
    private let entries = Mutex<[String]>([])
    func append(_ s: String) { entries.withLock { $0.append(s) } }
    var all: [String] { entries.withLock { $0 } }
    var count: Int { entries.withLock { $0.count } }
}

/// A value shared between tasks under a lock.
final class Shared<Value: Sendable>: Sendable {
    private let box: Mutex<Value>
    init(_ value: Value) { box = Mutex(value) }
    var value: Value { box.withLock { $0 } }
    @discardableResult
    func update<R: Sendable>(_ body: @Sendable (inout Value) -> R) -> R { box.withLock { body(&$0) } }
}
