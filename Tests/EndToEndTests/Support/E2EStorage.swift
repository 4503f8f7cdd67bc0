import ConcordTesting
import Foundation

/// The object store an end-to-end `concord server` runs on: the kubectl flows pass on both.
enum E2EStorage: String, CaseIterable, CustomStringConvertible, Sendable {
    /// SQLite in the data directory (the default).
    case sqlite
    /// The test process's shared etcd, under a key prefix of this server's own.
    case etcd

    var description: String { rawValue }

    /// The `concord server` arguments selecting this store.
    func serverArguments() async throws -> [String] {
        switch self {
        case .sqlite: return []
        case .etcd:
            let etcd = try await SharedTestEtcd.shared.cluster()
            return ["--storage", "etcd", "--etcd-endpoints", etcd.endpointsArgument, "--etcd-prefix", "/concord-e2e-\(UUID().uuidString.prefix(12))"]
        }
    }
}
