import Foundation
import KubernetesAPI

/// Identifies the object a reconcile request is about: a namespace (nil for cluster-scoped
/// kinds) and a name. It carries no event: the reconciler reads the current state itself.
public struct ObjectKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The namespace; nil for cluster-scoped objects.
    public var namespace: String?
    /// The name.
    public var name: String

    /// Creates a key.
    public init(namespace: String? = nil, name: String) {
        self.namespace = (namespace?.isEmpty ?? true) ? nil : namespace
        self.name = name
    }

    /// The key of an object's metadata.
    public init(_ meta: ObjectMeta) {
        self.init(namespace: meta.namespace, name: meta.name ?? "")
    }

    /// `namespace/name`, or `name` for cluster-scoped objects.
    public var description: String { namespace.map { "\($0)/\(name)" } ?? name }

    /// Orders by namespace, then name.
    public static func < (a: ObjectKey, b: ObjectKey) -> Bool {
        (a.namespace ?? "", a.name) < (b.namespace ?? "", b.name)
    }
}

/// What to do after a successful reconcile.
public enum ReconcileResult: Equatable, Sendable {
    /// Nothing until the next change: the key's backoff is forgotten.
    case done
    /// Reconcile again after this delay (the backoff is forgotten first).
    case requeue(after: Duration)
}

/// Makes the world match the object named by a key. Level-based and idempotent: it is called
/// for any change, possibly coalesced, and must read the current state itself.
public protocol Reconciler: Sendable {
    /// Reconciles one object. Throwing retries with per-key exponential backoff, unless the error
    /// is a `TerminalError`.
    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult
}

/// A reconciler built from a closure.
public struct ReconcilerFunction: Reconciler {
    private let body: @Sendable (ObjectKey) async throws -> ReconcileResult

    /// Wraps a closure.
    public init(_ body: @escaping @Sendable (ObjectKey) async throws -> ReconcileResult) { self.body = body }

    /// Calls the closure.
    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult { try await body(key) }
}

/// An error that retrying cannot fix: logged, counted, never requeued.
public struct TerminalError: Error, CustomStringConvertible {
    /// The cause.
    public var underlying: any Error

    /// Wraps a cause.
    public init(_ underlying: any Error) { self.underlying = underlying }

    /// `terminal error: <cause>`.
    public var description: String { "terminal error: \(underlying)" }
}
