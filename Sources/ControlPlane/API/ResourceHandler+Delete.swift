import Foundation
import KubernetesAPI

/// How a deletion treats the object's dependents (objects whose `ownerReferences` name it).
enum DeletionPropagation: String, Sendable {
    /// Delete the owner now; the garbage collector deletes the dependents afterwards.
    case background = "Background"
    /// The owner gets the `foregroundDeletion` finalizer and goes once its blocking dependents are gone.
    case foreground = "Foreground"
    /// The owner gets the `orphan` finalizer; its dependents lose their references to it, then it goes.
    case orphan = "Orphan"
}

/// The options of a DELETE, from the body (`{"propagationPolicy":"Background","preconditions":{…}}`) or,
/// as kube-apiserver also accepts, the query (`?propagationPolicy=Foreground`).
struct DeleteOptions: Sendable {
    var preconditionUID: String?
    var preconditionResourceVersion: Int64?
    /// nil: the default, Background.
    var propagationPolicy: DeletionPropagation?
    /// `dryRun: ["All"]` in the body, where kubectl and client-go send it (the query's `dryRun=All` is
    /// read with the other write options): nothing is deleted.
    var dryRun = false

    init(propagationPolicy: DeletionPropagation? = nil, preconditionUID: String? = nil) {
        self.propagationPolicy = propagationPolicy
        self.preconditionUID = preconditionUID
    }

    init(body: JSONValue?, query: QueryParameters = QueryParameters(nil)) throws {
        if let body, body.objectValue != nil {
            if let values = body["dryRun"], values != .null {
                let list = values.arrayValue?.compactMap(\.stringValue) ?? []
                if let bad = list.first(where: { $0 != "All" }) ?? (values.arrayValue == nil ? values.jsonString() : nil) {
                    throw APIError.invalid(
                        kind: "DeleteOptions", group: "meta.k8s.io", name: "", causes: [.notSupported("dryRun", value: .string(bad), supported: ["All"])])
                }
                dryRun = !list.isEmpty
            }
            preconditionUID = body.value(at: ["preconditions", "uid"])?.stringValue
            if let rv = body.value(at: ["preconditions", "resourceVersion"])?.stringValue, !rv.isEmpty {
                guard let n = Int64(rv) else { throw APIError.badRequest("invalid resourceVersion \"\(rv)\" in preconditions") }
                preconditionResourceVersion = n
            }
        }
        let policy = body?["propagationPolicy"]?.stringValue ?? query["propagationPolicy"]
        let orphan = body?["orphanDependents"]?.boolValue ?? query["orphanDependents"].map(QueryParameters.isTrue)
        if let policy, !policy.isEmpty {
            guard let parsed = DeletionPropagation(rawValue: policy) else {
                throw APIError.invalid(
                    kind: "DeleteOptions", group: "meta.k8s.io", name: "",
                    causes: [.notSupported("propagationPolicy", value: .string(policy), supported: ["Foreground", "Background", "Orphan", "nil"])])
            }
            if orphan != nil {
                throw APIError.invalid(
                    kind: "DeleteOptions", group: "meta.k8s.io", name: "",
                    causes: [.invalid("propagationPolicy", value: .string(policy), "orphanDependents and deletionPropagation cannot be both set")])
            }
            propagationPolicy = parsed
        } else if let orphan {
            propagationPolicy = orphan ? .orphan : .background
        }
    }
}

extension ResourceHandler {
    /// DELETE: objects with finalizers, and every object deleted in the foreground or orphaning its
    /// dependents (which then gets the `foregroundDeletion` or `orphan` finalizer the garbage collector
    /// removes), get a deletionTimestamp (MODIFIED) and stay; others are removed at once (Background: the
    /// garbage collector deletes their dependents afterwards). Answers 200 with the object in both cases.
    func delete(_ definition: ResourceDefinition, namespace: String?, name: String, options: DeleteOptions, dryRun: Bool) async throws -> JSONValue {
        let storageKey = key(definition, namespace: namespace, name: name)
        if SideEffects.isNamespace(definition), BuiltinResources.protectedNamespaces.contains(name) {
            throw APIError(
                code: 403, reason: StatusReason.forbidden, message: "namespaces \"\(name)\" is forbidden: this namespace may not be deleted",
                details: StatusDetails(name: name, kind: "namespaces"))
        }
        if SideEffects.isNamespace(definition), !dryRun { return try await deleteNamespace(name) }
        for _ in 0..<5 {
            let current = try await storage(definition, name: name) { try await store.get(storageKey) }
            guard let current else { throw APIError.notFound(definition.name, name: name) }
            if let uid = options.preconditionUID, uid != current.object.value(at: ["metadata", "uid"])?.stringValue {
                throw APIError.conflict(
                    definition.name, name: name,
                    reason: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.object.value(at: ["metadata", "uid"])?.stringValue ?? "")")
            }
            if let rv = options.preconditionResourceVersion, rv != current.revision {
                throw APIError.conflict(
                    definition.name, name: name,
                    reason: "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.revision)")
            }
            if dryRun { return present(current.object, definition) }
            let policy = options.propagationPolicy ?? .background
            if !ObjectLifecycle.finalizers(of: current.object).isEmpty || policy != .background {
                if current.object.value(at: ["metadata", "deletionTimestamp"]) != nil { return present(current.object, definition) }
                let now = self.now()
                do {
                    let marked = try await storage(definition, name: name) {
                        try await store.update(storageKey, expectedRevision: current.revision) {
                            ObjectLifecycle.markDeleting($0.object, now: now, propagation: policy)
                        }
                    }
                    return present(marked.object, definition)
                } catch let e as APIError where e.status.reason == StatusReason.conflict {
                    continue
                }
            }
            do {
                let removed = try await remove(definition, key: storageKey, expectedRevision: current.revision)
                return present(removed, definition)
            } catch let e as APIError where e.status.reason == StatusReason.conflict {
                continue
            }
        }
        throw APIError.conflict(definition.name, name: name)
    }

    /// Removes an object and what depends on it: a CRD's custom resources; the last object of a
    /// terminating namespace also removes the namespace.
    @discardableResult
    func remove(_ definition: ResourceDefinition, key storageKey: StorageKey, expectedRevision: Int64?, checkNamespace: Bool = true) async throws -> JSONValue {
        let removed = try await storage(definition, name: storageKey.name) { try await store.delete(storageKey, expectedRevision: expectedRevision) }
        if SideEffects.isCRD(definition) {
            registry.remove(crdNamed: storageKey.name, revision: removed.revision)
            try await removeAll(resource: storageKey.name, namespace: nil)
        } else if definition.namespaced, checkNamespace {
            let nsKey = StorageKey(resource: "namespaces", namespace: "", name: storageKey.namespace)
            if let ns = try await store.get(nsKey), ns.object.value(at: ["metadata", "deletionTimestamp"]) != nil {
                try await drainNamespace(storageKey.namespace)
            }
        }
        return removed.object
    }

    /// Deleting a namespace marks it Terminating, deletes its contents (objects with finalizers get a
    /// deletionTimestamp and are waited for) and removes the namespace once it is empty.
    private func deleteNamespace(_ name: String) async throws -> JSONValue {
        let definition = BuiltinResources.namespaceDefinition
        let nsKey = StorageKey(resource: "namespaces", namespace: "", name: name)
        let now = self.now()
        let marked = try await storage(definition, name: name) {
            try await store.update(nsKey, expectedRevision: nil) { current in
                var o = ObjectLifecycle.markDeleting(current.object, now: now)
                o.setValue("Terminating", at: ["status", "phase"])
                return o
            }
        }
        try await drainNamespace(name)
        return marked.object
    }

    /// Deletes what is left in a terminating namespace; removes the namespace when nothing is left.
    func drainNamespace(_ namespace: String) async throws {
        var remaining = 0
        var seen = Set<String>()
        let now = self.now()
        for d in registry.all where d.namespaced && seen.insert(d.storageResource).inserted {
            let (objects, _) = try await store.list(resource: d.storageResource, namespace: namespace)
            for o in objects {
                do {
                    if ObjectLifecycle.finalizers(of: o.object).isEmpty {
                        try await remove(d, key: o.key, expectedRevision: nil, checkNamespace: false)
                    } else {
                        remaining += 1
                        _ = try await store.update(o.key, expectedRevision: nil) { ObjectLifecycle.markDeleting($0.object, now: now) }
                    }
                } catch let e as StorageError where e.code == .notFound {
                    continue
                } catch let e as APIError where e.code == 404 {
                    continue
                }
            }
        }
        guard remaining == 0 else { return }
        do {
            _ = try await store.delete(StorageKey(resource: "namespaces", namespace: "", name: namespace), expectedRevision: nil)
        } catch let e as StorageError where e.code == .notFound {
            return
        }
    }

    /// Deletes every object of a storage resource (in a namespace, or everywhere), ignoring finalizers.
    private func removeAll(resource: String, namespace: String?) async throws {
        let (objects, _) = try await store.list(resource: resource, namespace: namespace)
        for o in objects {
            do {
                _ = try await store.delete(o.key, expectedRevision: nil)
            } catch let e as StorageError where e.code == .notFound {
                continue
            }
        }
    }

    /// DELETE on a collection: deletes every matching object (finalizer rules apply) and returns them as a list.
    func deleteCollection(
        _ definition: ResourceDefinition, namespace: String?, options: ListOptions, deleteOptions: DeleteOptions = DeleteOptions(), dryRun: Bool
    ) async throws -> JSONValue {
        let (objects, revision) = try await storage(definition, name: "") {
            try await store.list(resource: definition.storageResource, namespace: definition.namespaced ? namespace : nil)
        }
        var deleted: [JSONValue] = []
        for o in objects where options.filter.matches(present(o.object, definition)) {
            do {
                deleted.append(try await delete(definition, namespace: o.key.namespace, name: o.key.name, options: DeleteOptions(propagationPolicy: deleteOptions.propagationPolicy), dryRun: dryRun))
            } catch let e as APIError where e.code == 404 {
                continue
            }
        }
        return [
            "apiVersion": .string(definition.apiVersion), "kind": .string(definition.listKind),
            "metadata": ["resourceVersion": .string(String(revision))], "items": .array(deleted),
        ]
    }
}
