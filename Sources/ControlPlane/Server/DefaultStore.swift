import Foundation
import KubernetesAPI
import Logging

/// The stores a control plane can open: SQLite in the data directory (the default) or an etcd cluster.
public enum DefaultStore {
    /// Opens (creating if needed) the SQLite store in `dataDirectory`.
    @Sendable public static func open(_ dataDirectory: String) async throws -> any ObjectStore {
        AllocatorTuning.returnFreedMemoryPromptly()
        return try SQLiteObjectStore(directory: URL(fileURLWithPath: dataDirectory))
    }

    /// A `makeStore` that connects to etcd instead (the data directory then holds only the token,
    /// the certificates and the kubeconfig).
    public static func etcd(
        _ configuration: EtcdStorageConfiguration, logger: Logger = Logger(label: "concord.storage.etcd")
    ) -> @Sendable (_ dataDirectory: String) async throws -> any ObjectStore {
        { _ in try await EtcdObjectStore(configuration: configuration, logger: logger) }
    }
}
