import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// Opens a store of `backend` (SQLite in a fresh directory, or etcd under a fresh prefix), runs `body`, closes it.
/// SQLite keeps only the newest history event when asked to compact, as etcd keeps only the newest revision.
/// A test that compacts passes `compacts: true` and gets an etcd of its own: compaction is cluster-wide and
/// would expire the history other tests on the shared etcd read.
func withStore(_ backend: TestStorage, compacts: Bool = false, _ body: (any ObjectStore) async throws -> Void) async throws {
    switch backend {
    case .sqlite:
        let retention = SQLiteObjectStoreConfiguration(historyMinimumEvents: 1, historyMinimumAge: .zero, compactionInterval: 1_000_000)
        try await withStore(retention) { store in try await body(store) }
    case .etcd:
        let own = compacts ? try await LocalEtcd.start() : nil
        defer { own?.stop() }
        var configuration = try await SharedTestEtcd.shared.configuration()
        if let own { configuration.endpoints = own.clientURLs }
        let store = try await EtcdObjectStore(configuration: configuration)
        try await closing(store) { try await body(store) }
    }
}

/// Compacts the store's history through its current revision, whichever backend it is.
func compactNow(_ store: any ObjectStore) async throws {
    switch store {
    case let sqlite as SQLiteObjectStore: try await sqlite.compactHistory()
    case let etcd as EtcdObjectStore: try await etcd.compactHistory()
    default: Issue.record("no way to compact \(type(of: store))")
    }
}

/// The storage error `body` throws, or nil.
func storageError(_ body: () async throws -> Void) async -> StorageError? {
    do {
        try await body()
        return nil
    } catch let error as StorageError {
        return error
    } catch {
        Issue.record("expected a StorageError, got \(error)")
        return nil
    }
}

/// True when `error` is `.expired`.
func isExpired(_ error: StorageError?) -> Bool {
    if case .expired? = error?.code { return true }
    return false
}
