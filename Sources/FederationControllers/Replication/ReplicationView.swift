import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubernetesAPI

/// What the latest pass of one rule read from the member caches, kept so the next pass reads only
/// what changed there since (each cache's change log, ``ControllerRuntime/InformerCache/changes(since:)``)
/// and tells the planner which keys those are (``FederationCore/ReplicationChanges``).
struct ReplicationView: Sendable {
    /// What the kept objects were read for: a pass for anything else reads everything again.
    struct Basis: Equatable, Sendable {
        var spec: ReplicationRuleSpec
        var source: String
        var kinds: [ReplicaKindKey: ResolvedKind]
    }

    /// One member's cache of one kind.
    struct CacheKey: Hashable, Sendable {
        var datacenter: String
        var kind: ReplicaKindKey
    }

    let basis: Basis
    /// Counts the reads (0: none yet); the planner is fed changes only when it planned the read before.
    var generation = 0
    var sources: [ReplicaKey: JSONValue] = [:]
    var sourceWrittenAt: [ReplicaKey: Date] = [:]
    var sourceRevision: String?
    /// Per target read, what a plan reads there (``ReplicationRuleReconciler/readTarget(into:_:rule:from:)``).
    var targets: [String: [ReplicaKey: JSONValue]] = [:]
    /// Where each cache's change log was when its objects were read.
    var cursors: [CacheKey: CacheCursor] = [:]

    init(basis: Basis) { self.basis = basis }

    /// The keys (as replica keys of `id`) of the objects in `scope` changed in `cache` since the
    /// kept cursor of `datacenter`'s cache, moving the cursor; nil when that cannot be told.
    mutating func changed(in cache: InformerCache<JSONValue>, of id: ReplicaKindKey, at datacenter: String, scope: String?) -> Set<ReplicaKey>? {
        let key = CacheKey(datacenter: datacenter, kind: id)
        guard let cursor = cursors[key] else { return nil }
        let (keys, now) = cache.changes(since: cursor)
        cursors[key] = now
        guard let keys else { return nil }
        var changed = Set<ReplicaKey>()
        for object in keys where object.namespace == scope {
            changed.insert(ReplicaKey(apiVersion: id.apiVersion, kind: id.kind, name: object.name))
        }
        return changed
    }

    /// Notes where `cache` is, before it is read whole.
    mutating func mark(_ cache: InformerCache<JSONValue>, of id: ReplicaKindKey, at datacenter: String) {
        cursors[CacheKey(datacenter: datacenter, kind: id)] = cache.cursor
    }

    /// Forgets a target not read this pass: the next pass reads it whole.
    mutating func forget(target datacenter: String) {
        targets[datacenter] = nil
        for key in cursors.keys where key.datacenter == datacenter { cursors[key] = nil }
    }

    /// Sets the source object of `key` (nil: not selected), keeping its write time and the highest
    /// revision; true when the highest revision must be found again (the object holding it changed).
    mutating func setSource(_ key: ReplicaKey, _ object: JSONValue?) -> Bool {
        let old = sources[key].flatMap(ReplicaContent.resourceVersion(of:))
        if let object {
            sources[key] = object
            sourceWrittenAt[key] = ReplicaContent.writtenAt(of: object)
        } else {
            sources.removeValue(forKey: key)
            sourceWrittenAt.removeValue(forKey: key)
        }
        if let revision = object.flatMap(ReplicaContent.resourceVersion(of:)) {
            sourceRevision = ReplicationRound.highestRevision([sourceRevision, revision].compactMap { $0 })
        }
        return old != nil && old == sourceRevision && old != object.flatMap(ReplicaContent.resourceVersion(of:))
    }
}

extension ReplicationRuleReconciler {
    /// Updates the kept source objects of `view` from `caches` (the source's, one per kind) with
    /// what changed since the last read; the changed keys, or nil when the caches must be read whole.
    static func updateSources(_ view: inout ReplicationView, rule: ReplicationRule, from caches: [KindCache], at source: String) -> Set<ReplicaKey>? {
        var changed: [(KindCache, Set<ReplicaKey>)] = []
        for held in caches {
            guard let keys = view.changed(in: held.cache, of: held.id, at: source, scope: held.scope) else { return nil }
            changed.append((held, keys))
        }
        var all = Set<ReplicaKey>(), lostHighest = false
        for ((_, cache, scope), keys) in changed {
            for key in keys {
                // Not `flatMap { … ? $0 : nil }`: that nil would be JSONValue's own null.
                var object = cache.get(name: key.name, namespace: scope)
                if let found = object, !rule.selects(key, found) { object = Optional<JSONValue>.none }
                if view.setSource(key, object) { lostHighest = true }
                all.insert(key)
            }
        }
        if lostHighest { view.sourceRevision = ReplicationRound.highestRevision(view.sources.values.compactMap(ReplicaContent.resourceVersion(of:))) }
        return all
    }

    /// Updates what `view` keeps of target `datacenter` from `caches` (its caches, one per kind):
    /// the objects changed there since the last read and those named like a changed source object
    /// (`sourceChanges`); the keys read again, or nil when the caches must be read whole.
    static func updateTarget(
        _ view: inout ReplicationView, _ datacenter: String, rule: ReplicationRule, from caches: [KindCache], sourceChanges: Set<ReplicaKey>
    ) -> Set<ReplicaKey>? {
        guard var objects = view.targets.removeValue(forKey: datacenter) else { return nil }
        let stamp = rule.ruleAnnotationValue
        var all = Set<ReplicaKey>()
        for (id, cache, scope) in caches {
            guard var keys = view.changed(in: cache, of: id, at: datacenter, scope: scope) else { return nil }
            keys.formUnion(sourceChanges.lazy.filter { $0.kind == id.kind && $0.apiVersion == id.apiVersion })
            for key in keys {
                let object = cache.get(name: key.name, namespace: scope)
                if let found = object, view.sources[key] != nil || rule.selects(key, found) || MemberCacheTransform.rule(of: found) == [stamp] {
                    objects[key] = found
                } else {
                    objects.removeValue(forKey: key)
                }
            }
            all.formUnion(keys)
        }
        view.targets[datacenter] = objects
        return all
    }
}
