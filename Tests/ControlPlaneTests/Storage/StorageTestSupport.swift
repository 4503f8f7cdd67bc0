import ControlPlane
import Foundation
import KubernetesAPI
import Synchronization
import Testing

/// A fresh directory under the system temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("concord-storage-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() {
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            Issue.record("could not remove the test directory \(url.path): \(error)")
        }
    }
}

/// Opens a store in a fresh directory, runs `body`, then closes the store and removes the directory.
func withStore(
    _ configuration: SQLiteObjectStoreConfiguration = SQLiteObjectStoreConfiguration(),
    _ body: (SQLiteObjectStore) async throws -> Void
) async throws {
    let directory = try TemporaryDirectory()
    defer { directory.remove() }
    let store = try SQLiteObjectStore(directory: directory.url, configuration: configuration)
    try await closing(store) { try await body(store) }
}

/// Runs `body`, then closes `store`, whether `body` throws or not.
func closing(_ store: any ObjectStore, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        try await store.close()
        throw error
    }
    try await store.close()
}

/// A ConfigMap key.
func configMapKey(_ name: String, namespace: String = "default") -> StorageKey {
    StorageKey(resource: "configmaps", namespace: namespace, name: name)
}

/// A ConfigMap object.
func configMap(_ name: String, namespace: String = "default", data: [String: JSONValue] = [:]) -> JSONValue {
    [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": .string(name), "namespace": .string(namespace)],
        "data": .object(data),
    ]
}

/// The `metadata.resourceVersion` of an object.
func resourceVersion(_ object: JSONValue) -> String? {
    object.value(at: ["metadata", "resourceVersion"])?.stringValue
}

/// A test failure for a missed deadline.
struct DeadlineExceeded: Error, CustomStringConvertible {
    var what: String
    var description: String { "deadline exceeded: \(what)" }
}

/// Runs `body`, failing with `DeadlineExceeded` if it takes longer than `seconds`.
func withDeadline<T: Sendable>(
    _ seconds: Double = 10, _ what: String = "operation", _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw DeadlineExceeded(what: what) }
        return value
    }
}

/// Reads exactly `count` events from `watch` (within a deadline).
func collect(_ watch: StorageWatch, count: Int, seconds: Double = 10) async throws -> [StorageEvent] {
    try await withDeadline(seconds, "receiving \(count) events") {
        var events: [StorageEvent] = []
        var iterator = watch.makeAsyncIterator()
        while events.count < count, let event = try await iterator.next() {
            events.append(event)
        }
        return events
    }
}

/// A clock for the store that tests move by hand.
final class ManualWallClock: Sendable {
    private let state: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { state = Mutex(start) }

    var now: Date { state.withLock { $0 } }

    func advance(by seconds: TimeInterval) { state.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A value shared between a test and the tasks it starts.
final class LockedBox<Value: Sendable>: Sendable {
    private let state: Mutex<Value>

    init(_ value: Value) { state = Mutex(value) }

    var value: Value { state.withLock { $0 } }

    func update(_ body: (inout Value) -> Void) { state.withLock { body(&$0) } }
}
