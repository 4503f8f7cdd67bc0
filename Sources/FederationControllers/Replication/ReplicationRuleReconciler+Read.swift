import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

/// What a pass read: the source in force, its selected objects, and the targets' objects.
struct ReplicationRead: Sendable {
    var source: String
    var epoch: Int64
    var sources: [ReplicaKey: JSONValue] = [:]
    var sourceWrittenAt: [ReplicaKey: Date] = [:]
    var sourceRevision: String?
    var targets: [ReplicationTargetView] = []
    var unreachable: [String] = []
    /// Targets that do not serve some of `kinds`, with those kinds (``ReplicationRound/unserved``).
    var unserved: [String: [String]] = [:]
    var kinds: [ReplicaKindKey: ResolvedKind] = [:]
    /// Mesh: when each member's copies were last written there.
    var memberWrittenAt: [String: [ReplicaKey: Date]] = [:]
    /// What changed since the previous pass read (nil: read whole), for the planner (``FederationCore/ReplicationChanges``).
    var changes: ReplicationChanges?
    /// The kept read this pass started from (0: none) and the one it left (``RulePasses``).
    var generation: (from: Int, to: Int)?
    /// Input only a person can fix that still lets the pass run (residency allows no target: the pass
    /// deletes the rule's replicas outside residency and copies nothing); its status carries it.
    var blocker: ReplicationBlocker?
}

/// The outcome of reading: ready to plan, or why not.
enum ReplicationReadResult: Sendable {
    case ready(ReplicationRead)
    case blocked(ReplicationBlocker, source: String?, epoch: Int64? = nil)
}

extension ReplicationRuleReconciler {
    typealias R = ReplicationRule.Reason

    /// Reads everything a plan needs from the caches; a source whose caches have not synced yet is
    /// never planned from (an empty read would delete every replica).
    func read(_ rule: ReplicationRule) async -> ReplicationReadResult {
        if let blocker = ReplicationMembers.selectorBlocker(of: rule) {
            // The source it would read, shown beside the selector's error.
            guard case .success(let source) = sourceInForce(rule) else { return .blocked(blocker, source: nil) }
            return .blocked(blocker, source: source.name, epoch: source.epoch)
        }
        let source: (name: String, epoch: Int64)
        switch sourceInForce(rule) {
        case .failure(let blocker): return .blocked(blocker, source: nil)
        case .success(let s): source = s
        }
        let namespace = rule.metadata.namespace ?? ""
        let targets = ReplicationMembers.members(of: rule, except: source.name, among: datacenterCache.list())
        // No target at all: nothing to plan. Residency allowing none of them still leaves the pass to run:
        // it deletes the rule's replicas outside residency, and its status carries the blocker (which a
        // pass that stops early for a passing reason reports instead: only a person can fix it).
        let blocker = ReplicationMembers.blocker(of: rule, source: source.name, targets: targets)
        if let blocker, blocker.reason != R.noAllowedTargets { return .blocked(blocker, source: source.name, epoch: source.epoch) }
        func blocked(_ reason: String, _ message: String, terminal: Bool) -> ReplicationReadResult {
            .blocked(blocker ?? ReplicationBlocker(reason: reason, message: message, terminal: terminal), source: source.name, epoch: source.epoch)
        }
        if datacenterCache.get(name: source.name)?.status?.phase == .unreachable {
            return blocked(R.sourceUnavailable, "The source \(source.name) is Unreachable; replication resumes when it returns or another primary is promoted.", terminal: false)
        }
        guard let connection = await members.existing(source.name) else {
            return blocked(R.sourceUnavailable, "No connection to the source \(source.name) yet.", terminal: false)
        }
        var read = ReplicationRead(source: source.name, epoch: source.epoch)
        read.blocker = blocker
        switch await resolveKinds(rule, in: source.name, client: connection.client) {
        case .failure(let failure): return .blocked(failure.terminal ? failure : blocker ?? failure, source: source.name, epoch: source.epoch)
        case .success(let kinds): read.kinds = kinds
        }
        // The source's caches, then what changed there since the last pass (all of it when that cannot be told).
        var sourceCaches: [KindCache] = []
        for (id, kind) in read.kinds {
            let scope = kind.scope(namespace)
            guard let informer = await members.informer(for: kind.resource, namespaced: kind.namespaced, kind: kind.kind, in: source.name, namespace: scope), informer.hasSynced else {
                return blocked(R.sourceUnavailable, "Waiting for the source \(source.name)'s \(kind.kind) cache.", terminal: false)
            }
            sourceCaches.append((id, informer.cache, scope))
        }
        let key = ruleCache.key(of: rule)
        let startedAt = now()
        var view = passes.takeView(
            for: key, basis: ReplicationView.Basis(spec: rule.spec, source: source.name, kinds: read.kinds), now: startedAt,
            every: TimeInterval(rule.spec.effectiveFullResyncSeconds))
        let previous = view.generation
        let sourceChanges = previous > 0 ? Self.updateSources(&view, rule: rule, from: sourceCaches, at: source.name) : nil
        if sourceChanges == nil { Self.readSources(into: &view, rule: rule, from: sourceCaches, at: source.name) }
        var targetChanges: [String: Set<ReplicaKey>] = [:]
        for dc in targets {
            guard let name = dc.metadata.name else { continue }
            // A member whose health says Unreachable is not planned: its cache holds what it had when it went away.
            guard dc.status?.phase != .unreachable else {
                read.unreachable.append(name)
                view.forget(target: name)
                continue
            }
            guard let caches = await targetCaches(name, kinds: read.kinds, namespace: namespace) else {
                view.forget(target: name)
                await notRead(name, into: &read)
                continue
            }
            if let sourceChanges, let keys = Self.updateTarget(&view, name, rule: rule, from: caches, sourceChanges: sourceChanges) {
                targetChanges[name] = keys
            } else {
                Self.readTarget(into: &view, name, rule: rule, from: caches)
            }
            read.targets.append(ReplicationTargetView(datacenter: name, region: dc.spec.region, objects: view.targets[name] ?? [:]))
        }
        let planned = Set(read.targets.map(\.datacenter))
        for name in view.targets.keys where !planned.contains(name) { view.forget(target: name) }
        read.sources = view.sources
        read.sourceWrittenAt = view.sourceWrittenAt
        read.sourceRevision = view.sourceRevision
        read.changes = sourceChanges.map { ReplicationChanges(sources: $0, targets: targetChanges) }
        read.generation = (previous, passes.putView(view, for: key, whole: sourceChanges == nil, at: startedAt))
        return .ready(read)
    }

    /// The objects of kind `id` in `cache` that one of `rule`'s resources selects, read through the
    /// cache's label index when a resource names labels (a rule copying a few objects out of a busy
    /// namespace never walks the rest).
    static func selected(by rule: ReplicationRule, _ id: ReplicaKindKey, in cache: InformerCache<JSONValue>, scope: String?) -> [(ReplicaKey, JSONValue)] {
        var found: [(ReplicaKey, JSONValue)] = []
        for entry in rule.spec.resources where entry.kind == id.kind && entry.apiVersion == id.apiVersion {
            for object in cache.list(namespace: scope, labelSelector: entry.selector) {
                let name = ReplicaContent.name(of: object)
                guard entry.matches(name: name, labels: ReplicaContent.labels(of: object), namespace: rule.metadata.namespace) else { continue }
                found.append((ReplicaKey(apiVersion: id.apiVersion, kind: id.kind, name: name), object))
            }
        }
        return found
    }

    /// `datacenter`'s caches of `kinds`; nil while one is unavailable: not synced, or not watching
    /// since a failure (a member that just returned, whose cache still shows what it held when it
    /// went away: a plan from it would undo what changed meanwhile).
    func targetCaches(_ datacenter: String, kinds: [ReplicaKindKey: ResolvedKind], namespace: String) async -> [KindCache]? {
        var caches: [KindCache] = []
        for (id, kind) in kinds {
            let scope = kind.scope(namespace)
            guard let informer = await members.informer(for: kind.resource, namespaced: kind.namespaced, kind: kind.kind, in: datacenter, namespace: scope),
                informer.hasSynced, informer.isConnected
            else { return nil }
            caches.append((id, informer.cache, scope))
        }
        return caches
    }

    /// Reads the source objects `rule` selects in `caches` (the source's) whole into `view`, which
    /// forgets everything else it kept (what targets hold depends on the source objects).
    static func readSources(into view: inout ReplicationView, rule: ReplicationRule, from caches: [KindCache], at source: String) {
        view.sources = [:]
        view.sourceWrittenAt = [:]
        view.targets = [:]
        view.cursors = [:]
        var revisions: [String] = []
        for (id, cache, scope) in caches {
            view.mark(cache, of: id, at: source)
            for (key, object) in selected(by: rule, id, in: cache, scope: scope) where view.sources[key] == nil {
                view.sources[key] = object
                view.sourceWrittenAt[key] = ReplicaContent.writtenAt(of: object)
                if let rv = ReplicaContent.resourceVersion(of: object) { revisions.append(rv) }
            }
        }
        view.sourceRevision = ReplicationRound.highestRevision(revisions)
    }

    /// Reads what target `datacenter` holds that a HubAndSpoke plan for `rule` reads, whole, into
    /// `view`: the objects the rule selects there, those named like a selected source object, and
    /// those the rule stamped; the planner ignores every other object of the kind, so none is read.
    static func readTarget(into view: inout ReplicationView, _ datacenter: String, rule: ReplicationRule, from caches: [KindCache]) {
        view.forget(target: datacenter)
        let stamp = rule.ruleAnnotationValue
        var objects: [ReplicaKey: JSONValue] = [:]
        for (id, cache, scope) in caches {
            view.mark(cache, of: id, at: datacenter)
            collect(for: rule, stamp: stamp, id, in: cache, scope: scope, sources: view.sources, into: &objects)
        }
        view.targets[datacenter] = objects
    }

    /// Adds to `objects` what `cache` (a target's objects of kind `id`) holds that a plan for `rule`
    /// reads: the objects the rule selects, those named like a key of `sources`, and those stamped `stamp`.
    static func collect(
        for rule: ReplicationRule, stamp: String, _ id: ReplicaKindKey, in cache: InformerCache<JSONValue>, scope: String?, sources: [ReplicaKey: JSONValue],
        into objects: inout [ReplicaKey: JSONValue]
    ) {
        for (key, object) in selected(by: rule, id, in: cache, scope: scope) { objects[key] = object }
        named(sources.keys, id, in: cache, scope: scope, into: &objects)
        stamped(stamp, id, in: cache, into: &objects)
    }

    /// Adds to `objects` the objects of kind `id` in `cache` named like one of `keys` (of that kind).
    static func named(_ keys: some Collection<ReplicaKey>, _ id: ReplicaKindKey, in cache: InformerCache<JSONValue>, scope: String?, into objects: inout [ReplicaKey: JSONValue]) {
        for key in keys where key.kind == id.kind && key.apiVersion == id.apiVersion && objects[key] == nil {
            if let object = cache.get(name: key.name, namespace: scope) { objects[key] = object }
        }
    }

    /// Adds to `objects` the objects of kind `id` in `cache` that carry the rule annotation `stamp`.
    static func stamped(_ stamp: String, _ id: ReplicaKindKey, in cache: InformerCache<JSONValue>, into objects: inout [ReplicaKey: JSONValue]) {
        for object in cache.byIndex(MemberCacheTransform.ruleIndex, stamp) {
            objects[ReplicaKey(apiVersion: id.apiVersion, kind: id.kind, name: ReplicaContent.name(of: object))] = object
        }
    }

    /// One member's cache of one kind, with the namespace the rule reads there (nil: cluster-scoped).
    typealias KindCache = (id: ReplicaKindKey, cache: InformerCache<JSONValue>, scope: String?)

    /// What each of `datacenters` holds that a Mesh plan for `rule` reads (see ``meshObjects(in:of:)``).
    /// A member whose caches are not synced, or not watching since a failure, is left out.
    func meshObjects(_ datacenters: [String], of rule: ReplicationRule, kinds: [ReplicaKindKey: ResolvedKind]) async -> [String: [ReplicaKey: JSONValue]] {
        let namespace = rule.metadata.namespace ?? ""
        var caches: [String: [KindCache]] = [:]
        member: for datacenter in datacenters {
            var held: [KindCache] = []
            for (id, kind) in kinds {
                let scope = kind.scope(namespace)
                guard let informer = await members.informer(for: kind.resource, namespaced: kind.namespaced, kind: kind.kind, in: datacenter, namespace: scope),
                    informer.hasSynced, informer.isConnected
                else { continue member }
                held.append((id, informer.cache, scope))
            }
            caches[datacenter] = held
        }
        return Self.meshObjects(in: caches, of: rule)
    }

    /// What each member's caches hold that a Mesh plan for `rule` reads: the objects the rule selects
    /// or stamped in any member, and in every member the objects named like one of those (an object of
    /// that name the rule does not own is never written over). The planner ignores every other object
    /// of the kinds, so none is read.
    static func meshObjects(in caches: [String: [KindCache]], of rule: ReplicationRule) -> [String: [ReplicaKey: JSONValue]] {
        let stamp = rule.ruleAnnotationValue
        var objects: [String: [ReplicaKey: JSONValue]] = [:]
        var keys = Set<ReplicaKey>()
        for (datacenter, held) in caches {
            var found: [ReplicaKey: JSONValue] = [:]
            for (id, cache, scope) in held {
                for (key, object) in selected(by: rule, id, in: cache, scope: scope) { found[key] = object }
                stamped(stamp, id, in: cache, into: &found)
            }
            keys.formUnion(found.keys)
            objects[datacenter] = found
        }
        for (datacenter, held) in caches {
            var found = objects[datacenter] ?? [:]
            for (id, cache, scope) in held { named(keys, id, in: cache, scope: scope, into: &found) }
            objects[datacenter] = found
        }
        return objects
    }

    /// The objects of the rule's kinds that `rule` stamped in `datacenter` (its replicas there); nil
    /// while any cache is unavailable.
    func stampedObjects(_ datacenter: String, of rule: ReplicationRule, kinds: [ReplicaKindKey: ResolvedKind]) async -> [ReplicaKey: JSONValue]? {
        let namespace = rule.metadata.namespace ?? "", stamp = rule.ruleAnnotationValue
        var objects: [ReplicaKey: JSONValue] = [:]
        for (id, kind) in kinds {
            let scope = kind.scope(namespace)
            guard let informer = await members.informer(for: kind.resource, namespaced: kind.namespaced, kind: kind.kind, in: datacenter, namespace: scope), informer.hasSynced else { return nil }
            Self.stamped(stamp, id, in: informer.cache, into: &objects)
        }
        return objects
    }

    /// The kinds the rule names, resolved through `datacenter`'s API discovery (``ReplicatedKinds/resolve(_:in:client:)``),
    /// with their member watches registered; or why not.
    func resolveKinds(_ rule: ReplicationRule, in datacenter: String, client: KubeClient) async -> Result<[ReplicaKindKey: ResolvedKind], ReplicationBlocker> {
        let resolved = await kinds.resolve(rule, in: datacenter, client: client)
        if case .success(let found) = resolved { for kind in found.values { watches.ensure(kind, namespace: rule.metadata.namespace ?? "") } }
        return resolved
    }

    /// The source datacenter and epoch: the named Datacenter, or the primary in force (the first
    /// FederationPolicy by name whose status names one; failing that, the Datacenter whose role is Primary).
    func sourceInForce(_ rule: ReplicationRule) -> Result<(name: String, epoch: Int64), ReplicationBlocker> {
        let policies = policyCache.list().sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
        switch rule.spec.effectiveSource {
        case .datacenter(let name):
            guard datacenterCache.get(name: name) != nil else {
                return .failure(ReplicationBlocker(reason: R.sourceNotFound, message: "spec.source names Datacenter \(name), which does not exist.", terminal: true))
            }
            let epoch = (policies.first { $0.status?.primary == name } ?? policies.first)?.status?.epoch ?? 0
            return .success((name, epoch))
        case .primary:
            if let policy = policies.first(where: { $0.status?.primary != nil }), let primary = policy.status?.primary {
                return .success((primary, policy.status?.epoch ?? 0))
            }
            if let dc = datacenterCache.list().first(where: { $0.status?.role == .primary }), let name = dc.metadata.name {
                return .success((name, 0))
            }
            return .failure(ReplicationBlocker(reason: R.noPrimary, message: "No FederationPolicy names a primary yet; the rule reads from the primary.", terminal: false))
        }
    }
}
