import ControlPlane
import FederationAPI
import Foundation
import Synchronization

/// The object store a test control plane opened.
final class CapturedStore: Sendable {
    private let store = Mutex<(any ObjectStore)?>(nil)
    func set(_ s: any ObjectStore) { store.withLock { $0 = s } }
    var current: (any ObjectStore)? { store.withLock { $0 } }
}

/// Why a storage write of a test could not be made.
public struct TestStorageError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
}

extension TestControlPlane {
    /// Rewrites a stored object straight through the object store, bypassing validation, defaulting
    /// and admission: the way to put an object into the control plane that its API would refuse
    /// (for tests of clients that must survive one). Watchers see the write as MODIFIED.
    ///
    /// ```swift
    /// try await plane.plantUnvalidated(resource: "datacenters.federation.concord.dev", name: "bad") {
    ///     $0.setValue(.double(9.223372036854776e18), at: ["spec", "capacity", "replicas"])
    /// }
    /// ```
    /// - Returns: the object's new resourceVersion.
    @discardableResult
    public func plantUnvalidated(
        resource: String, namespace: String = "", name: String, _ transform: @escaping @Sendable (inout JSONValue) -> Void
    ) async throws -> String {
        guard let store = storage.current else { throw TestStorageError(description: "the control plane has not opened its store") }
        let stored = try await store.update(StorageKey(resource: resource, namespace: namespace, name: name), expectedRevision: nil) { old in
            var object = old.object
            transform(&object)
            return object
        }
        return String(stored.revision)
    }
}
