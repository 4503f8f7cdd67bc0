import Foundation
import KubernetesAPI
import Logging
import ServiceLifecycle
import Synchronization

/// The ``ObjectStore`` on an etcd v3 cluster, with kube-apiserver's storage contract.
///
/// Objects live at `<prefix>/<resource>/<namespace>/<name>` (cluster-scoped objects have an empty
/// namespace segment) as JSON without `metadata.resourceVersion`: an object's resourceVersion is the
/// key's `mod_revision`, a list's is the response header's revision. Creates are a txn comparing
/// `mod_revision = 0`; updates and deletes compare `mod_revision` with the revision they read, and a
/// failed compare reads the current object in the same txn, so a stale precondition gets `.conflict`.
/// Later pages of a paged list read at the first page's revision. Watches are etcd watches from
/// `revision + 1` with previous values; history below etcd's compacted revision gets `.expired`.
/// Revisions are etcd's: increasing, but not gap-free (other keys and failed requests take none, other
/// writers sharing the cluster do).
///
/// Several Concord servers may share one etcd and prefix; compaction is coordinated between them
/// (see ``EtcdCompactor``).
public final class EtcdObjectStore: ObjectStore {
    let transport: any EtcdTransport
    let prefix: String
    let maxRequestBytes: Int
    let logger: Logger
    let clock: any Clock<Duration>
    let progressCheckInterval: Duration
    /// The highest compacted revision this store has seen (from its compactor or a cancelled watch).
    let compaction: CompactionMark
    private let compactor: EtcdCompactor?
    /// Serves watches from one etcd watch per resource while its service runs.
    let watchCache = EtcdWatchCache()
    /// Storage watches served by an etcd watch of their own (not from the watch cache) that are still open.
    let ownFeeds = Atomic<Int>(0)

    /// The storage watches open on this server, from the watch cache or on etcd watches of their own (for leak tests).
    public var activeWatchCount: Int { watchCache.subscriberCount + ownFeeds.load(ordering: .relaxed) }
    /// Objects fetched per range request of a list (all pinned to one revision).
    static let listPageSize = 500

    /// Connects to the endpoints of `configuration` over the HTTP/JSON gateway and checks that etcd answers.
    public convenience init(configuration: EtcdStorageConfiguration, logger: Logger = Logger(label: "concord.storage.etcd")) async throws {
        try await self.init(transport: EtcdHTTPTransport(configuration: configuration), configuration: configuration, logger: logger)
    }

    /// Uses `transport` to reach etcd; `configuration` supplies the prefix, limits and compaction interval.
    public init(transport: any EtcdTransport, configuration: EtcdStorageConfiguration, logger: Logger = Logger(label: "concord.storage.etcd")) async throws {
        self.transport = transport
        prefix = configuration.normalizedPrefix
        maxRequestBytes = configuration.maxRequestBytes
        self.logger = logger
        clock = configuration.clock
        progressCheckInterval = configuration.progressCheckInterval
        let mark = CompactionMark()
        compaction = mark
        compactor = configuration.compactionInterval > .zero
            ? EtcdCompactor(transport: transport, prefix: prefix, interval: configuration.compactionInterval, clock: clock, mark: mark, logger: logger)
            : nil
        do {
            _ = try await currentRevision()
        } catch {
            try? await transport.shutdown()
            let endpoints = configuration.endpoints.map(\.absoluteString).joined(separator: ",")
            throw StorageError(.internalError, message: "cannot reach etcd at \(endpoints): \(error)")
        }
    }

    /// Several servers may serve one etcd and prefix.
    public var sharedBetweenServers: Bool { true }

    /// Every revision back to the last compaction can be read.
    public var servesPastRevisions: Bool { true }

    /// The watch cache, and compaction every `compactionInterval`, run beside the API server.
    public var backgroundServices: [any Service] { [EtcdWatchCacheService(cache: watchCache, store: self)] + (compactor.map { [$0] } ?? []) }

    /// Compacts etcd's history through the current revision now (what the compactor does every interval,
    /// without waiting); watches and paged lists from older revisions then get `.expired`.
    public func compactHistory() async throws {
        let revision = try await currentRevision()
        try await perform { try await EtcdCompactor.compact(transport, to: revision) }
        compaction.raise(to: revision)
    }

    // MARK: Keys

    func etcdKey(_ key: StorageKey) -> String { "\(prefix)/\(key.resource)/\(key.namespace)/\(key.name)" }

    func rangePrefix(resource: String, namespace: String?) -> String {
        namespace.map { "\(prefix)/\(resource)/\($0)/" } ?? "\(prefix)/\(resource)/"
    }

    /// The storage key of an etcd key under this store's prefix, or nil for a key of another layout.
    func storageKey(_ bytes: Data) -> StorageKey? {
        let key = String(decoding: bytes, as: UTF8.self)
        guard key.hasPrefix(prefix + "/") else { return nil }
        let parts = key.dropFirst(prefix.count + 1).split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        return StorageKey(resource: String(parts[0]), namespace: String(parts[1]), name: String(parts[2]))
    }

    /// The object stored in `kv`, stamped with `revision` (its mod_revision unless told otherwise).
    func object(_ kv: EtcdWire.KeyValue, key: StorageKey, revision: Int64? = nil) throws -> JSONValue {
        try JSONValue.decodeStored(kv.valueBytes, key: key).stampingResourceVersion(revision ?? kv.modRevision, key: key)
    }

    func stored(_ kv: EtcdWire.KeyValue, key: StorageKey) throws -> StoredObject {
        StoredObject(key: key, object: try object(kv, key: key), revision: kv.modRevision)
    }

    // MARK: Reads

    /// The revision etcd is at (the header revision of a read).
    public func currentRevision() async throws -> Int64 {
        let response = try await range(["key": EtcdWire.base64(prefix + "/"), "count_only": true])
        return response.header?.revisionValue ?? 0
    }

    /// Throws `.unavailable` unless a read through etcd's leader answers within `readinessTimeout`.
    public func checkReadiness() async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { _ = try await self.currentRevision() }
                group.addTask {
                    try await self.clock.sleep(for: Self.readinessTimeout)
                    throw StorageError(.unavailable, message: "etcd did not answer within \(Self.readinessTimeout)")
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch let e as StorageError where e.code == .unavailable {
            throw e
        } catch {
            throw StorageError(.unavailable, message: "etcd cannot serve reads: \(error)")
        }
    }

    /// How long a readiness check waits for etcd.
    static let readinessTimeout: Duration = .seconds(2)

    /// The object at `key`, or nil.
    public func get(_ key: StorageKey) async throws -> StoredObject? {
        let response = try await range(["key": EtcdWire.base64(etcdKey(key))])
        return try response.kvs?.first.map { try stored($0, key: key) }
    }

    /// Every object of `resource` at etcd's current revision.
    public func list(resource: String, namespace: String?) async throws -> (objects: [StoredObject], revision: Int64) {
        try await list(resource: resource, namespace: namespace, atRevision: nil)
    }

    /// Every object of `resource` as it was at `revision` (nil: now), read in pages pinned to one revision.
    /// A revision below etcd's compaction gets `.expired`.
    public func list(resource: String, namespace: String?, atRevision revision: Int64?) async throws -> (objects: [StoredObject], revision: Int64) {
        let start = rangePrefix(resource: resource, namespace: namespace)
        let end = EtcdWire.rangeEnd(ofPrefix: start)
        var next = EtcdWire.base64(start)
        var pinned = revision
        var objects: [StoredObject] = []
        while true {
            var request: JSONValue = ["key": next, "range_end": end, "limit": EtcdWire.int(Int64(Self.listPageSize))]
            if let pinned { request["revision"] = EtcdWire.int(pinned) }
            let response = try await range(request)
            if pinned == nil { pinned = response.header?.revisionValue ?? 0 }
            let kvs = response.kvs ?? []
            for kv in kvs {
                guard let key = storageKey(kv.keyBytes) else { continue }
                objects.append(try stored(kv, key: key))
            }
            guard response.more == true, let last = kvs.last else { break }
            next = EtcdWire.base64(last.keyBytes + Data([0]))
        }
        // The API orders by namespace, then name (etcd orders by key bytes, where `/` sorts after `-` and `.`).
        objects.sort { ($0.key.namespace, $0.key.name) < ($1.key.namespace, $1.key.name) }
        return (objects, pinned ?? 0)
    }

    func range(_ request: JSONValue) async throws -> EtcdWire.RangeResponse {
        try EtcdWire.decode(EtcdWire.RangeResponse.self, try await perform { try await transport.call("kv/range", request) })
    }

    func txn(_ request: JSONValue) async throws -> EtcdWire.TxnResponse {
        try EtcdWire.decode(EtcdWire.TxnResponse.self, try await perform { try await transport.call("kv/txn", request) })
    }

    /// Runs a transport call, turning etcd's answers into `StorageError`s.
    func perform<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let e as EtcdServerError {
            if e.isCompacted { throw StorageError(.expired(oldest: compaction.revision), message: e.message) }
            if e.isTooLarge { throw StorageError(.tooLarge(limit: Int64(maxRequestBytes)), message: e.message) }
            throw StorageError(.internalError, message: e.description)
        }
    }

    /// Ends every watch and closes the connections to etcd.
    public func close() async throws {
        do {
            try await transport.shutdown()
        } catch {
            throw StorageError(.internalError, message: "closing the etcd connections failed: \(error)")
        }
    }
}
