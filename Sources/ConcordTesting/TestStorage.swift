import ControlPlane
import Foundation

/// The object store a test runs on: every storage and API contract test runs on both.
public enum TestStorage: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The default SQLite store in the test's data directory.
    case sqlite
    /// An etcd store under a key prefix of its own, on the etcd this test process shares.
    case etcd

    /// `sqlite` or `etcd`, as test names show it.
    public var description: String { rawValue }

    /// The `makeStore` for a control plane on this backend.
    public func makeStore() -> @Sendable (_ dataDirectory: String) async throws -> any ObjectStore {
        switch self {
        case .sqlite: return DefaultStore.open
        case .etcd: return { _ in try await EtcdObjectStore(configuration: try await SharedTestEtcd.shared.configuration()) }
        }
    }

    /// A `makeStore` whose every opening finds the same objects (SQLite in the data directory, etcd under
    /// one prefix), for tests that stop a control plane and start another on what the first one stored.
    public func lastingStore() async throws -> @Sendable (_ dataDirectory: String) async throws -> any ObjectStore {
        switch self {
        case .sqlite: return DefaultStore.open
        case .etcd:
            let configuration = try await SharedTestEtcd.shared.configuration()
            return { _ in try await EtcdObjectStore(configuration: configuration) }
        }
    }
}

/// The one-member etcd every etcd-backed test of this process shares, started on first use and gone
/// with the process. Each store gets a fresh key prefix, so tests do not see each other's objects.
public actor SharedTestEtcd {
    /// The process's instance.
    public static let shared = SharedTestEtcd()

    private var etcd: LocalEtcd?

    /// The running etcd, started (and waited for) on first use.
    public func cluster() async throws -> LocalEtcd {
        let running: LocalEtcd
        if let etcd {
            running = etcd
        } else {
            running = try LocalEtcd.launch()
            etcd = running
        }
        do {
            try await running.waitUntilServing()
        } catch {
            throw LocalEtcdError("the shared test etcd did not start: \(error)\n\(running.logs())")
        }
        return running
    }

    /// Settings for a store under a prefix no other store of this process uses, with compaction left to the test.
    public func configuration() async throws -> EtcdStorageConfiguration {
        let etcd = try await cluster()
        return EtcdStorageConfiguration(endpoints: etcd.clientURLs, prefix: "/concord-test-\(UUID().uuidString.prefix(12))", compactionInterval: .zero)
    }
}
