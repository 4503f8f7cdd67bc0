import Foundation
import KubernetesAPI
import ServiceLifecycle

/// Where an object lives in storage: its group-qualified resource, namespace and name.
public struct StorageKey: Hashable, Sendable, CustomStringConvertible {
    /// Group-qualified plural resource: `configmaps`, `datacenters.federation.concord.dev`.
    public var resource: String
    /// The namespace; empty for cluster-scoped objects.
    public var namespace: String
    /// The object's name.
    public var name: String

    /// Creates a key.
    public init(resource: String, namespace: String, name: String) {
        self.resource = resource
        self.namespace = namespace
        self.name = name
    }

    /// `resource/namespace/name`.
    public var description: String { namespace.isEmpty ? "\(resource)/\(name)" : "\(resource)/\(namespace)/\(name)" }
}

/// An object as stored: its JSON (with `metadata.resourceVersion` equal to `revision`) and the revision that last wrote it.
public struct StoredObject: Sendable, Hashable {
    /// Where it lives.
    public var key: StorageKey
    /// The object; `metadata.resourceVersion` is `String(revision)`.
    public var object: JSONValue
    /// The global revision of the write that produced this state.
    public var revision: Int64

    /// Creates a stored object.
    public init(key: StorageKey, object: JSONValue, revision: Int64) {
        self.key = key
        self.object = object
        self.revision = revision
    }
}

/// What a storage event did.
public enum StorageEventType: String, Sendable, Hashable {
    /// The object was created.
    case added = "ADDED"
    /// The object was replaced.
    case modified = "MODIFIED"
    /// The object was removed.
    case deleted = "DELETED"
}

/// One committed change, in revision order.
public struct StorageEvent: Sendable, Hashable {
    /// What happened.
    public var type: StorageEventType
    /// The object's key.
    public var key: StorageKey
    /// The object after the change; for `deleted`, its last state with `resourceVersion` set to the deletion's revision.
    public var object: JSONValue
    /// The object before the change (nil for `added`), so filtered watches can tell an object leaving their selection.
    public var previous: JSONValue?
    /// The global revision of this change.
    public var revision: Int64
    /// `object` as compact JSON, when the store has it at hand (the bytes it stored): a watch can send
    /// them as they are instead of encoding the object again for every watcher.
    public var encodedObject: Data?

    /// Creates an event.
    public init(
        type: StorageEventType, key: StorageKey, object: JSONValue, previous: JSONValue?, revision: Int64,
        encodedObject: Data? = nil
    ) {
        self.type = type
        self.key = key
        self.object = object
        self.previous = previous
        self.revision = revision
        self.encodedObject = encodedObject
    }
}

/// Durable object storage with one global, monotonically increasing revision: the seam between the
/// API layer and its backends (``SQLiteObjectStore``, the default, and ``EtcdObjectStore``).
///
/// Every write takes a revision above every earlier one and stamps it into `metadata.resourceVersion`
/// (SQLite's revisions are gap-free; etcd's are not).
/// A write that returns has been committed durably: it survives `kill -9`.
/// Watches see every change after their start revision exactly once, in order.
public protocol ObjectStore: Sendable {
    /// The revision of the newest committed write (0 for an empty store).
    func currentRevision() async throws -> Int64

    /// The object at `key`, or nil.
    func get(_ key: StorageKey) async throws -> StoredObject?

    /// Every object of `resource` (in `namespace`, or in all namespaces when nil), sorted by
    /// namespace then name, and the revision the list was read at.
    func list(resource: String, namespace: String?) async throws -> (objects: [StoredObject], revision: Int64)

    /// Every object of `resource` as it was at `revision` (nil: now), with the revision it was read at:
    /// what the later pages of a paged list read, so the pages form one snapshot. Throws `.expired` when
    /// `revision` is older than the retained history. Stores that keep no old states list the current
    /// objects instead (the default).
    func list(resource: String, namespace: String?, atRevision revision: Int64?) async throws -> (objects: [StoredObject], revision: Int64)

    /// Creates the object; throws `StorageError` `.alreadyExists` if the key is taken.
    func create(_ key: StorageKey, object: JSONValue) async throws -> StoredObject

    /// Creates the object only if the Namespace `namespace` exists and is not being deleted, checked
    /// atomically with the write; throws ``NamespaceUnavailable`` otherwise.
    func create(_ key: StorageKey, object: JSONValue, inNamespace namespace: String) async throws -> StoredObject

    /// Atomically reads the object, applies `transform` and writes the result at a new revision.
    /// `expectedRevision` (when given) must equal the stored revision, else `.conflict`.
    /// If `transform` returns its input unchanged nothing is written and the stored object is returned.
    /// Errors thrown by `transform` propagate unchanged and nothing is written.
    func update(
        _ key: StorageKey, expectedRevision: Int64?,
        _ transform: @Sendable (StoredObject) throws -> JSONValue
    ) async throws -> StoredObject

    /// Removes the object; `expectedRevision` as for `update`. Returns the object as deleted,
    /// with `resourceVersion` set to the deletion's revision.
    func delete(_ key: StorageKey, expectedRevision: Int64?) async throws -> StoredObject

    /// Changes to `resource` (in `namespace`, or all when nil) with revision > `revision`.
    /// Throws `.expired` when `revision` is older than the retained history.
    /// The stream's buffer is bounded; a consumer that falls too far behind ends with `.expired`.
    func watch(resource: String, namespace: String?, after revision: Int64) async throws -> StorageWatch

    /// True when other servers may write to the same store (etcd), so a server must follow changes it did
    /// not make itself, such as CRDs installed through another server. False by default.
    var sharedBetweenServers: Bool { get }

    /// True when `list(atRevision:)` returns the objects as they were at an older revision (etcd keeps
    /// history until compaction), so an `Exact` list at an older revision can be served. False by default.
    var servesPastRevisions: Bool { get }

    /// Work the store needs done while it serves (history compaction), run beside the API server until
    /// graceful shutdown. Empty by default.
    var backgroundServices: [any Service] { get }

    /// Throws `.unavailable` when the store cannot serve requests now (what `/readyz` reports). The
    /// default never throws: a store in the server's own files is there while the server runs.
    func checkReadiness() async throws

    /// Ends every watch, waits for queued writes and releases the store's files or connections.
    /// Nothing by default.
    func close() async throws
}

/// A storage failure, mapped by the API layer onto a Kubernetes Status.
public struct StorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: Sendable, Hashable {
        /// No object at the key.
        case notFound
        /// An object already exists at the key.
        case alreadyExists
        /// `expectedRevision` did not match.
        case conflict
        /// The requested revision is older than the retained history (or a watcher fell behind); `oldest` is the oldest resumable revision.
        case expired(oldest: Int64)
        /// The object is bigger than the store accepts in one request; `limit` is the limit in bytes.
        case tooLarge(limit: Int64)
        /// The store cannot be reached now (no etcd member answers, or none has a leader) and the
        /// request was not applied: another server, or a retry, may succeed.
        case unavailable
        /// The database failed.
        case internalError
    }

    /// The kind of failure.
    public var code: Code
    /// The key involved.
    public var key: StorageKey?
    /// Detail for logs and error bodies.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, key: StorageKey? = nil, message: String = "") {
        self.code = code
        self.key = key
        self.message = message
    }

    /// Code and message.
    public var description: String { "\(code): \(message)" }
}

/// A create into a namespace that does not exist, or is being deleted.
public struct NamespaceUnavailable: Error, Sendable, Hashable {
    /// The namespace.
    public var namespace: String
    /// True when it exists but carries a deletionTimestamp.
    public var terminating: Bool

    /// The state of a stored Namespace object (nil: it does not exist).
    static func check(_ namespace: String, object: JSONValue?) -> NamespaceUnavailable? {
        guard let object else { return NamespaceUnavailable(namespace: namespace, terminating: false) }
        let deleting = object.value(at: ["metadata", "deletionTimestamp"]).map { $0 != .null } ?? false
        return deleting ? NamespaceUnavailable(namespace: namespace, terminating: true) : nil
    }
}

extension ObjectStore {
    /// The current objects, whatever `revision` asks for: the store keeps no old states.
    public func list(resource: String, namespace: String?, atRevision revision: Int64?) async throws -> (objects: [StoredObject], revision: Int64) {
        try await list(resource: resource, namespace: namespace)
    }

    /// A store of one server's own.
    public var sharedBetweenServers: Bool { false }

    /// Only the current state.
    public var servesPastRevisions: Bool { false }

    /// No background work.
    public var backgroundServices: [any Service] { [] }

    /// Nothing to release.
    public func close() async throws {}

    /// Always ready.
    public func checkReadiness() async throws {}

    /// The two-step form for stores without an atomic check: read the Namespace, then create.
    public func create(_ key: StorageKey, object: JSONValue, inNamespace namespace: String) async throws -> StoredObject {
        let found = try await get(StorageKey(resource: "namespaces", namespace: "", name: namespace))
        if let unavailable = NamespaceUnavailable.check(namespace, object: found?.object) { throw unavailable }
        return try await create(key, object: object)
    }
}
