import Foundation
import KubernetesAPI

/// The store a control plane opens when none is injected: SQLite in the data directory.
public enum DefaultStore {
    /// Opens (creating if needed) the SQLite store in `dataDirectory`.
    @Sendable public static func open(_ dataDirectory: String) async throws -> any ObjectStore {
        AllocatorTuning.returnFreedMemoryPromptly()
        return try SQLiteObjectStore(directory: URL(fileURLWithPath: dataDirectory))
    }
}
