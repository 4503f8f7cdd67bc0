import Foundation
import KubernetesAPI

extension GarbageCollector {
    /// Carries out one piece of work; returns the work it causes.
    func process(_ work: OwnershipGraph.Work, state: CollectorState) async throws -> [OwnershipGraph.Work] {
        switch work {
        case .dependent(let key): return try await verifyDependent(key, state: state)
        case .owner(let key): return try await finishOwner(key, state: state)
        }
    }

    /// Checks a dependent's owners against storage and deletes it, or drops references, as they require.
    private func verifyDependent(_ key: StorageKey, state: CollectorState) async throws -> [OwnershipGraph.Work] {
        guard let definition = handler.registry.definition(storageResource: key.resource),
            let current = try await handler.store.get(key)
        else { return [] }
        let refs = OwnerRef.of(current.object)
        var owners: [(ref: OwnerRef, state: OwnerState)] = []
        for ref in refs { owners.append((ref, try await ownerState(ref, dependent: key, state: state))) }
        let namespace = key.namespace.isEmpty ? nil : key.namespace
        switch DependentAction.decide(owners) {
        case .keep:
            return []
        case .delete(let foreground):
            var options = DeleteOptions(propagationPolicy: foreground ? .foreground : .background, preconditionUID: current.object.value(at: ["metadata", "uid"])?.stringValue)
            // Only the object as checked: one that changed since (a new owner reference, say) is checked again.
            // With several servers collecting, another server's change lands here too.
            options.preconditionResourceVersion = current.revision
            logger.debug("Collecting dependent", metadata: ["object": "\(key)", "foreground": "\(foreground)"])
            do {
                try await ignoringGone {
                    _ = try await handler.delete(definition, namespace: namespace, name: key.name, options: options, dryRun: false)
                }
            } catch let e as APIError where e.code == 409 && (e.status.message ?? "").contains("Precondition failed: ResourceVersion") {
                return [.dependent(key)]
            }
            return []
        case .updateReferences(let remove, let unblock):
            try await ignoringGone {
                _ = try await handler.write(definition, namespace: namespace, name: key.name, expectedRevision: nil, options: try Self.writeOptions()) {
                    $0.updatingOwnerReferences(remove: remove, unblock: unblock)
                }
            }
            return []
        }
    }

    /// An owner deleting in the foreground or orphaning: handles its dependents, then drops the finalizer.
    private func finishOwner(_ key: StorageKey, state: CollectorState) async throws -> [OwnershipGraph.Work] {
        guard let definition = handler.registry.definition(storageResource: key.resource),
            let current = try await handler.store.get(key), OwnershipGraph.waitsForCollector(current.object),
            let uid = current.object.value(at: ["metadata", "uid"])?.stringValue
        else { return [] }
        let namespace = key.namespace.isEmpty ? nil : key.namespace
        let finalizers = ObjectLifecycle.finalizers(of: current.object)
        let dependents = state.graph.dependents(of: uid).sorted { $0.description < $1.description }
        if finalizers.contains(GarbageCollectionFinalizer.orphan) {
            for dependent in dependents {
                guard let dependentDefinition = handler.registry.definition(storageResource: dependent.resource) else { continue }
                try await ignoringGone {
                    _ = try await handler.write(
                        dependentDefinition, namespace: dependent.namespace.isEmpty ? nil : dependent.namespace, name: dependent.name,
                        expectedRevision: nil, options: try Self.writeOptions()
                    ) { $0.updatingOwnerReferences(remove: [uid]) }
                }
            }
            try await removeFinalizer(GarbageCollectionFinalizer.orphan, definition, namespace: namespace, name: key.name)
            return []
        }
        // Foreground: every dependent goes (in the foreground itself); those with blockOwnerDeletion hold the owner.
        var blocked = false
        for dependent in dependents {
            guard let stored = try await handler.store.get(dependent) else { continue }
            let refs = OwnerRef.of(stored.object).filter { $0.uid == uid }
            if refs.contains(where: \.blockOwnerDeletion) { blocked = true }
        }
        if !blocked { try await removeFinalizer(GarbageCollectionFinalizer.foreground, definition, namespace: namespace, name: key.name) }
        return dependents.map { .dependent($0) }
    }

    /// What the owner named by `ref` is, looked up where the reference points and compared by uid.
    private func ownerState(_ ref: OwnerRef, dependent: StorageKey, state: CollectorState) async throws -> OwnerState {
        if state.deletedUIDs.contains(ref.uid) { return .dangling }
        guard let definition = handler.registry.definition(group: ref.group, kind: ref.kind) else { return .unresolvable }
        // A namespaced owner cannot own a cluster-scoped object: such a reference never resolves.
        if definition.namespaced && dependent.namespace.isEmpty { return .dangling }
        let key = StorageKey(resource: definition.storageResource, namespace: definition.namespaced ? dependent.namespace : "", name: ref.name)
        guard let owner = try await handler.store.get(key), owner.object.value(at: ["metadata", "uid"])?.stringValue == ref.uid else {
            return .dangling
        }
        if owner.object.value(at: ["metadata", "deletionTimestamp"]) != nil,
            ObjectLifecycle.finalizers(of: owner.object).contains(GarbageCollectionFinalizer.foreground)
        {
            return .waitingForDependents
        }
        return .solid
    }

    private func removeFinalizer(_ finalizer: String, _ definition: ResourceDefinition, namespace: String?, name: String) async throws {
        try await ignoringGone {
            _ = try await handler.write(definition, namespace: namespace, name: name, expectedRevision: nil, options: try Self.writeOptions()) {
                $0.removingFinalizer(finalizer)
            }
        }
    }

    /// Runs a write, treating "already gone" (404, or a uid precondition that no longer holds) as done.
    private func ignoringGone(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let e as APIError where e.code == 404 {
            return
        } catch let e as APIError where e.code == 409 && (e.status.message ?? "").contains("Precondition failed: UID") {
            return
        }
    }

    /// The options of the collector's own writes.
    static func writeOptions() throws -> WriteOptions {
        try WriteOptions(QueryParameters(["fieldManager": "concord-garbage-collector", "fieldValidation": "Ignore"]))
    }
}
