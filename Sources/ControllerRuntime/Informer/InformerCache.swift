import Foundation
import KubernetesAPI
import Synchronization

/// A thread-safe store of the objects an informer has seen, keyed by namespace/name, with
/// namespace and label indexes and optional custom indexes. Reads are synchronous and cheap:
/// reconcilers read from here instead of the API server.
public final class InformerCache<Object: Sendable>: Sendable {
    /// Computes index values for an object (e.g. an owner's name).
    public typealias IndexFunction = @Sendable (Object) -> [String]

    private struct State {
        var objects: [ObjectKey: Object] = [:]
        var byNamespace: [String: Set<ObjectKey>] = [:]
        var byLabel: [String: Set<ObjectKey>] = [:]
        /// Custom index functions. Stored once and never copied back: re-storing a closure taken out
        /// of a generic container wraps it in one more reabstraction thunk each time, so calls grow slower.
        var indexFunctions: [String: IndexFunction] = [:]
        /// Custom indexes by name, mutated in place (no copy of an index per event).
        var custom: [String: [String: Set<ObjectKey>]] = [:]
        /// The keys of the latest changes (``InformerCache/changes(since:)``), kept once a reader
        /// first asked for a ``InformerCache/cursor`` (caches nobody reads that way keep none).
        var log: CacheChangeLog?
    }

    private let state = Mutex(State())
    /// Reads an object's metadata.
    public let metadata: @Sendable (Object) -> ObjectMeta
    /// This cache's id, unique in the process (``CacheCursor/cache``).
    public let id: UInt64

    /// Creates an empty cache.
    public init(metadata: @escaping @Sendable (Object) -> ObjectMeta) {
        self.metadata = metadata
        id = CacheChangeLog.ids.add(1, ordering: .relaxed).newValue
    }

    /// Runs `body` on the change log under the lock (nil: none kept yet).
    func changeLog<T>(_ body: (CacheChangeLog?) -> T) -> T { state.withLock { body($0.log) } }

    /// The position after the latest change; starts keeping the log.
    var changeLogEnd: UInt64 {
        state.withLock { s in
            if s.log == nil { s.log = CacheChangeLog() }
            return s.log?.end ?? 0
        }
    }

    /// Adds a custom index; existing objects are indexed at once.
    public func addIndex(_ name: String, _ fn: @escaping IndexFunction) {
        state.withLock { s in
            var index: [String: Set<ObjectKey>] = [:]
            for (k, o) in s.objects { for v in fn(o) { index[v, default: []].insert(k) } }
            s.indexFunctions[name] = fn
            s.custom[name] = index
        }
    }

    /// Whether a custom index `name` is registered.
    public func hasIndex(_ name: String) -> Bool { state.withLock { $0.custom[name] != nil } }

    /// The key of an object.
    public func key(of object: Object) -> ObjectKey { ObjectKey(metadata(object)) }

    /// The object with this key.
    public func get(_ key: ObjectKey) -> Object? { state.withLock { $0.objects[key] } }

    /// The object with this name (and namespace, for namespaced kinds).
    public func get(name: String, namespace: String? = nil) -> Object? { get(ObjectKey(namespace: namespace, name: name)) }

    /// Objects, optionally in one namespace and matching a label selector, sorted by key.
    public func list(namespace: String? = nil, labelSelector: LabelSelector? = nil) -> [Object] {
        state.withLock { s in
            var keys: Set<ObjectKey>
            if let ns = namespace { keys = s.byNamespace[ns] ?? [] } else { keys = Set(s.objects.keys) }
            if let labels = labelSelector?.matchLabels, !labels.isEmpty {
                for (k, v) in labels { keys.formIntersection(s.byLabel["\(k)=\(v)"] ?? []) }
            }
            return keys.sorted().compactMap { k -> Object? in
                guard let o = s.objects[k] else { return nil }
                if let sel = labelSelector, !sel.matches(metadata(o).labels) { return nil }
                return o
            }
        }
    }

    /// Objects whose custom index `name` contains `value`, sorted by key.
    public func byIndex(_ name: String, _ value: String) -> [Object] {
        state.withLock { s in (s.custom[name]?[value] ?? []).sorted().compactMap { s.objects[$0] } }
    }

    /// All keys, sorted.
    public var keys: [ObjectKey] { state.withLock { $0.objects.keys.sorted() } }

    /// The number of objects.
    public var count: Int { state.withLock { $0.objects.count } }

    /// Inserts or replaces an object; returns the previous version.
    @discardableResult
    public func upsert(_ object: Object) -> Object? {
        let k = key(of: object)
        return state.withLock { s in
            let old = Self.remove(k, from: &s, metadata: metadata)
            Self.insert(object, key: k, into: &s, metadata: metadata)
            s.log?.record(k)
            return old
        }
    }

    /// Removes an object; returns it if it was present.
    @discardableResult
    public func remove(_ key: ObjectKey) -> Object? {
        state.withLock { s in
            let old = Self.remove(key, from: &s, metadata: metadata)
            if old != nil { s.log?.record(key) }
            return old
        }
    }

    /// Replaces the whole content. Returns what changed: new objects, (old, new) pairs for objects
    /// that were already known, and the objects that vanished.
    public func replace(with objects: [Object]) -> (added: [Object], updated: [(old: Object, new: Object)], deleted: [Object]) {
        state.withLock { s in
            let oldObjects = s.objects
            var fresh = State()
            fresh.indexFunctions = s.indexFunctions
            fresh.custom = s.custom.mapValues { _ in [:] }
            fresh.log = s.log
            var added: [Object] = []
            var updated: [(Object, Object)] = []
            for o in objects {
                let k = ObjectKey(metadata(o))
                if let old = oldObjects[k] { updated.append((old, o)) } else { added.append(o) }
                _ = Self.remove(k, from: &fresh, metadata: metadata)
                Self.insert(o, key: k, into: &fresh, metadata: metadata)
                fresh.log?.record(k)
            }
            let deleted = oldObjects.filter { fresh.objects[$0.key] == nil }.sorted { $0.key < $1.key }
            for (k, _) in deleted { fresh.log?.record(k) }
            s = fresh
            return (added, updated, deleted.map(\.value))
        }
    }

    private static func insert(_ o: Object, key k: ObjectKey, into s: inout State, metadata: (Object) -> ObjectMeta) {
        s.objects[k] = o
        s.byNamespace[k.namespace ?? "", default: []].insert(k)
        for (lk, lv) in metadata(o).labels ?? [:] { s.byLabel["\(lk)=\(lv)", default: []].insert(k) }
        for (name, fn) in s.indexFunctions {
            for v in fn(o) { s.custom[name, default: [:]][v, default: []].insert(k) }
        }
    }

    private static func remove(_ k: ObjectKey, from s: inout State, metadata: (Object) -> ObjectMeta) -> Object? {
        guard let old = s.objects.removeValue(forKey: k) else { return nil }
        s.byNamespace[k.namespace ?? ""]?.remove(k)
        if s.byNamespace[k.namespace ?? ""]?.isEmpty == true { s.byNamespace[k.namespace ?? ""] = nil }
        for (lk, lv) in metadata(old).labels ?? [:] {
            s.byLabel["\(lk)=\(lv)"]?.remove(k)
            if s.byLabel["\(lk)=\(lv)"]?.isEmpty == true { s.byLabel["\(lk)=\(lv)"] = nil }
        }
        for (name, fn) in s.indexFunctions {
            for v in fn(old) {
                s.custom[name]?[v]?.remove(k)
                if s.custom[name]?[v]?.isEmpty == true { s.custom[name]?[v] = nil }
            }
        }
        return old
    }
}
