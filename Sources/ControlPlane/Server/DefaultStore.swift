import FederationAPI
import Foundation

/// The store a control plane opens when none is injected. (Interim in-memory store until the SQLite store is merged.)
enum DefaultStore {
    @Sendable static func open(_ dataDirectory: String) async throws -> any ObjectStore {
        InterimMemoryStore()
    }
}
