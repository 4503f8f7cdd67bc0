import ConcordTesting
@testable import ControlPlane
import Foundation
import KubernetesAPI
import Synchronization
import Testing

/// Counts the etcd watches a store opens.
private final class CountingTransport: EtcdTransport {
    let base: any EtcdTransport
    private let opened = Mutex(0)
    var watches: Int { opened.withLock { $0 } }

    init(_ base: any EtcdTransport) { self.base = base }

    func call(_ method: String, _ request: JSONValue) async throws -> Data { try await base.call(method, request) }

    func watch(_ request: JSONValue) async throws -> any AsyncSequence<Data, any Error> & Sendable {
        opened.withLock { $0 += 1 }
        return try await base.watch(request)
    }

    func shutdown() async throws { try await base.shutdown() }
}

/// The watch cache: watches that start together (informers list, then watch at the list's revision)
/// share one etcd watch per resource instead of each decoding every event.
@Suite struct EtcdWatchCacheSharingTests {
    @Test func watchesAtTheSameRevisionShareOneEtcdWatch() async throws {
        let configuration = try await SharedTestEtcd.shared.configuration()
        let transport = CountingTransport(try EtcdHTTPTransport(configuration: configuration))
        let store = try await EtcdObjectStore(transport: transport, configuration: configuration)
        try await closing(store) {
            try await withThrowingTaskGroup(of: Void.self) { services in
                for service in store.backgroundServices { services.addTask { try await service.run() } }
                try await waitUntil("the watch cache to run") { store.watchCache.isRunning }
                let start = try await store.currentRevision()
                var watches: [StorageWatch] = []
                for namespace in ["default", nil, "default", nil, "default"] {
                    watches.append(try await store.watch(resource: "configmaps", namespace: namespace, after: start))
                }
                let created = try await store.create(configMapKey("shared"), object: configMap("shared"))
                for watch in watches {
                    let events = try await collect(watch, count: 1)
                    #expect(events.map(\.revision) == [created.revision])
                }
                #expect(transport.watches == 1, "every watch started at the cache's revision shares its etcd watch")
                // A watch from before the cache's first revision still gets every change after it, from etcd.
                let older = try await store.watch(resource: "configmaps", namespace: nil, after: start - 1)
                #expect(try await collect(older, count: 1).map(\.revision) == [created.revision])
                #expect(transport.watches == 2)
                services.cancelAll()
            }
        }
    }
}
