import Foundation
import KubernetesAPI

/// The store a control plane opens when none is injected: SQLite in the data directory.
enum DefaultStore {
    @Sendable static func open(_ dataDirectory: String) async throws -> any ObjectStore {
        AllocatorTuning.returnFreedMemoryPromptly()
        return try SQLiteObjectStore(directory: URL(fileURLWithPath: dataDirectory))
    }
}
