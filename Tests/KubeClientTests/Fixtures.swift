import Foundation
import KubeClient
import KubernetesAPI
import Synchronization

let configMapsGVR = GroupVersionResource(group: "", version: "v1", resource: "configmaps")

/// A ConfigMap as JSON.
func configMap(_ name: String, rv: String, namespace: String = "default", labels: [String: String] = [:], data: [String: String] = [:]) -> JSONValue {
    var meta: JSONValue = ["name": .string(name), "namespace": .string(namespace), "resourceVersion": .string(rv)]
    if !labels.isEmpty { meta["labels"] = .object(labels.mapValues { .string($0) }) }
    return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": .object(data.mapValues { .string($0) })]
}

/// A ConfigMapList response.
func listResponse(_ items: [JSONValue], rv: String, continueToken: String? = nil) -> KubeResponse {
    var meta: JSONValue = ["resourceVersion": .string(rv)]
    if let continueToken { meta["continue"] = .string(continueToken) }
    return .json(200, ["apiVersion": "v1", "kind": "ConfigMapList", "metadata": meta, "items": .array(items)])
}

/// Scripted answers, consumed in order; the last list answer repeats; watches beyond the
/// script get a stream that stays open until cancelled.
final class Script: Sendable {
    private let lists: Mutex<[Result<KubeResponse, KubeTransportError>]>
    private let watches: Mutex<[FakeWatchStreamOrStatus]>
    private let extra = Mutex<[FakeWatchStream]>([])

    enum FakeWatchStreamOrStatus: Sendable {
        case stream(FakeWatchStream)
        case status(KubeResponse)
        case failure(KubeTransportError)
    }

    init(lists: [Result<KubeResponse, KubeTransportError>], watches: [FakeWatchStreamOrStatus]) {
        self.lists = Mutex(lists)
        self.watches = Mutex(watches)
    }

    func nextList() throws -> KubeResponse {
        let r = lists.withLock { l in l.count > 1 ? l.removeFirst() : l[0] }
        return try r.get()
    }

    func nextWatch() throws -> KubeStreamingResponse {
        let next = watches.withLock { w in w.isEmpty ? nil : w.removeFirst() }
        switch next {
        case .stream(let s): return s.response
        case .status(let r): return KubeStreamingResponse(statusCode: r.statusCode, body: .chunks([r.body]))
        case .failure(let e): throw e
        case nil:
            let s = FakeWatchStream()
            extra.withLock { $0.append(s) }
            return s.response
        }
    }

    var transport: FakeKubeTransport {
        FakeKubeTransport(send: { _ in try self.nextList() }, stream: { _ in try self.nextWatch() })
    }
}

/// A thread-safe list of strings.
final class EventLogBox: Sendable {
    private let entries = Mutex<[String]>([])
    func append(_ s: String) { entries.withLock { $0.append(s) } }
    var all: [String] { entries.withLock { $0 } }
}
