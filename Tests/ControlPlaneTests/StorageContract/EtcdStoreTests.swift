import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// What the etcd backend does beyond the common contract: snapshot lists, size limits, old states.
@Suite("EtcdObjectStore")
struct EtcdStoreTests {
    @Test func aListAtARevisionIsTheSnapshotOfThatRevision() async throws {
        try await withStore(.etcd, compacts: true) { store in
            let etcd = try #require(store as? EtcdObjectStore)
            for i in 0..<3 { _ = try await store.create(configMapKey("c\(i)"), object: configMap("c\(i)")) }
            let before = try await store.list(resource: "configmaps", namespace: nil)
            _ = try await store.create(configMapKey("later"), object: configMap("later"))
            _ = try await store.delete(configMapKey("c0"), expectedRevision: nil)
            let snapshot = try await etcd.list(resource: "configmaps", namespace: nil, atRevision: before.revision)
            #expect(snapshot.revision == before.revision)
            #expect(snapshot.objects == before.objects)
            try await etcd.compactHistory()
            let error = await storageError { _ = try await etcd.list(resource: "configmaps", namespace: nil, atRevision: before.revision) }
            #expect(isExpired(error))
        }
    }

    @Test func listsLongerThanOneRangePageAreComplete() async throws {
        try await withStore(.etcd) { store in
            let count = EtcdObjectStore.listPageSize + 7
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<count {
                    group.addTask { _ = try await store.create(configMapKey(String(format: "cm-%04d", i)), object: configMap("cm")) }
                }
                try await group.waitForAll()
            }
            let listed = try await store.list(resource: "configmaps", namespace: "default")
            #expect(listed.objects.count == count)
            #expect(Set(listed.objects.map(\.key.name)).count == count)
        }
    }

    @Test func anObjectOverEtcdsRequestLimitIsTooLarge() async throws {
        try await withStore(.etcd) { store in
            let big = configMap("big", data: ["blob": .string(String(repeating: "x", count: 1_600_000))])
            let error = await storageError { _ = try await store.create(configMapKey("big"), object: big) }
            #expect(error?.code == .tooLarge(limit: 1_572_864))
            let fetched = try await store.get(configMapKey("big"))
            #expect(fetched == nil)
        }
    }

    @Test func endpointsAreParsedWithOneLineErrors() throws {
        let urls = try EtcdStorageConfiguration.endpoints(parsing: "http://127.0.0.1:2379, https://10.0.0.2:2379")
        #expect(urls.map(\.absoluteString) == ["http://127.0.0.1:2379", "https://10.0.0.2:2379"])
        #expect(throws: EtcdConfigurationError.self) { try EtcdStorageConfiguration.endpoints(parsing: "127.0.0.1:2379") }
        #expect(throws: EtcdConfigurationError.self) { try EtcdStorageConfiguration.endpoints(parsing: " , ") }
    }
}
