import ControlPlane
import Foundation
import KubernetesAPI
import Testing

@Suite("SQLiteObjectStore revisions, atomicity and reopening")
struct ObjectStoreRevisionTests {
    @Test func mixedOperationsTakeGapFreeRevisionsRecordedInHistory() async throws {
        try await withStore { store in
            _ = try await store.create(configMapKey("a"), object: configMap("a"))  // 1
            _ = try await store.create(configMapKey("b"), object: configMap("b"))  // 2
            _ = try await store.update(configMapKey("a"), expectedRevision: nil) { _ in configMap("a", data: ["n": 1]) }  // 3
            await #expect(throws: StorageError.self) {  // rejected: no revision
                try await store.create(configMapKey("a"), object: configMap("a"))
            }
            _ = try await store.delete(configMapKey("b"), expectedRevision: nil)  // 4
            _ = try await store.update(configMapKey("a"), expectedRevision: nil) { $0.object }  // unchanged: no revision
            _ = try await store.create(configMapKey("b"), object: configMap("b"))  // 5
            let watch = try await store.watch(resource: "configmaps", namespace: nil, after: 0)
            let events = try await collect(watch, count: 5)
            #expect(events.map(\.revision) == [1, 2, 3, 4, 5])
            #expect(events.map(\.type) == [.added, .added, .modified, .deleted, .added])
            #expect(events.map(\.key.name) == ["a", "b", "a", "b", "b"])
            #expect(events.map { resourceVersion($0.object) } == ["1", "2", "3", "4", "5"])
            #expect(events[2].previous.flatMap(resourceVersion) == "1")
            #expect(events[3].previous.flatMap(resourceVersion) == "2")
            #expect(events[0].previous == nil)
        }
    }

    @Test func concurrentWritersGetDistinctGapFreeRevisions() async throws {
        try await withStore { store in
            let writers = 16, perWriter = 25
            let revisions = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var mine: [Int64] = []
                        for index in 0..<perWriter {
                            let name = "w\(writer)-\(index)"
                            mine.append(try await store.create(configMapKey(name), object: configMap(name)).revision)
                        }
                        return mine
                    }
                }
                var all: [Int64] = []
                for try await mine in group {
                    #expect(mine == mine.sorted(), "one writer's sequential writes get increasing revisions")
                    all += mine
                }
                return all
            }
            #expect(revisions.sorted() == Array(1...Int64(writers * perWriter)))
            #expect(try await store.currentRevision() == Int64(writers * perWriter))
        }
    }

    @Test func updateIsAnAtomicReadModifyWrite() async throws {
        try await withStore { store in
            _ = try await store.create(configMapKey("counter"), object: configMap("counter", data: ["n": 0]))
            let increments = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<increments {
                    group.addTask {
                        _ = try await store.update(configMapKey("counter"), expectedRevision: nil) { current in
                            var object = current.object
                            let n = object.value(at: ["data", "n"])?.intValue ?? -1_000_000
                            object.setValue(.int(n + 1), at: ["data", "n"])
                            return object
                        }
                    }
                }
                try await group.waitForAll()
            }
            let counter = try #require(try await store.get(configMapKey("counter")))
            #expect(counter.object.value(at: ["data", "n"]) == .int(Int64(increments)))
            #expect(counter.revision == Int64(increments + 1))
        }
    }

    @Test func reopeningContinuesTheRevisionSequenceAndKeepsHistory() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try SQLiteObjectStore(directory: directory.url)
        _ = try await first.create(configMapKey("a"), object: configMap("a"))
        _ = try await first.create(configMapKey("b"), object: configMap("b"))
        _ = try await first.delete(configMapKey("a"), expectedRevision: nil)
        try await first.close()

        let second = try SQLiteObjectStore(directory: directory.url)
        #expect(try await second.currentRevision() == 3)
        let next = try await second.create(configMapKey("c"), object: configMap("c"))
        #expect(next.revision == 4)
        let events = try await collect(try await second.watch(resource: "configmaps", namespace: nil, after: 0), count: 4)
        #expect(events.map(\.revision) == [1, 2, 3, 4])
        #expect(try await second.list(resource: "configmaps", namespace: nil).objects.map(\.key.name) == ["b", "c"])
        try await second.close()
    }

    @Test func theWriterRunsInWALModeWithTheConfiguredSynchronousLevel() async throws {
        try await withStore { store in
            let settings = try await store.writerSettings()
            #expect(settings.journalMode == "wal")
            #expect(settings.synchronous == "full")
        }
        try await withStore(SQLiteObjectStoreConfiguration(durability: .processCrash)) { store in
            let settings = try await store.writerSettings()
            #expect(settings.synchronous == "normal")
        }
    }

    /// A `kill -9` leaves the data files as the operating system holds them. Copying the database and
    /// its WAL while the store is still open (never closed, never checkpointed on close) gives exactly
    /// that image; every acknowledged write must be in it.
    @Test func acknowledgedWritesAreInTheFilesWithoutAnOrderlyClose() async throws {
        let directory = try TemporaryDirectory()
        let crashImage = try TemporaryDirectory()
        defer {
            directory.remove()
            crashImage.remove()
        }
        let live = try SQLiteObjectStore(directory: directory.url)
        let writes = 300
        for index in 0..<writes {
            _ = try await live.create(configMapKey("cm\(index)"), object: configMap("cm\(index)", data: ["i": .int(Int64(index))]))
        }
        _ = try await live.update(configMapKey("cm0"), expectedRevision: nil) { _ in configMap("cm0", data: ["i": -1]) }
        let fileName = SQLiteObjectStoreConfiguration().fileName
        for suffix in ["", "-wal"] {
            let source = directory.url.appendingPathComponent(fileName + suffix)
            try FileManager.default.copyItem(at: source, to: crashImage.url.appendingPathComponent(fileName + suffix))
        }

        let recovered = try SQLiteObjectStore(directory: crashImage.url)
        #expect(try await recovered.currentRevision() == Int64(writes + 1))
        let listed = try await recovered.list(resource: "configmaps", namespace: "default")
        #expect(listed.objects.count == writes)
        #expect(try await recovered.get(configMapKey("cm0"))?.object.value(at: ["data", "i"]) == -1)
        #expect(try await recovered.get(configMapKey("cm299"))?.revision == 300)
        #expect(try await recovered.create(configMapKey("after"), object: configMap("after")).revision == Int64(writes + 2))
        try await recovered.close()
        try await live.close()
    }

    @Test func aDirectoryIsOpenInOneStoreAtATime() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try SQLiteObjectStore(directory: directory.url)
        let error = #expect(throws: StorageError.self) { try SQLiteObjectStore(directory: directory.url) }
        #expect(error?.message.contains("another process (or store) has this data directory open") == true)
        try await first.close()
        let second = try SQLiteObjectStore(directory: directory.url)
        try await second.close()
    }

    @Test func aClosedStoreRefusesWritesAndWatches() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try SQLiteObjectStore(directory: directory.url)
        try await store.close()
        await #expect(throws: StorageError.self) {
            try await store.create(configMapKey("a"), object: configMap("a"))
        }
        await #expect(throws: StorageError.self) {
            try await store.watch(resource: "configmaps", namespace: nil, after: 0)
        }
    }
}
