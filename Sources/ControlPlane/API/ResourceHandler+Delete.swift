import FederationAPI
import Foundation

/// The body of a DELETE: `{"propagationPolicy":"Background","preconditions":{…}}`.
struct DeleteOptions: Sendable {
    var preconditionUID: String?
    var preconditionResourceVersion: Int64?

    init(body: JSONValue?) throws {
        guard let body, body.objectValue != nil else { return }
        preconditionUID = body.value(at: ["preconditions", "uid"])?.stringValue
        if let rv = body.value(at: ["preconditions", "resourceVersion"])?.stringValue, !rv.isEmpty {
            guard let n = Int64(rv) else { throw APIError.badRequest("invalid resourceVersion \"\(rv)\" in preconditions") }
            preconditionResourceVersion = n
        }
        if let policy = body["propagationPolicy"]?.stringValue, !["Background", "Foreground", "Orphan"].contains(policy) {
            throw APIError.badRequest("propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\"")
        }
    }
}

extension ResourceHandler {
    /// DELETE: objects with finalizers get a deletionTimestamp (MODIFIED) and stay; others are removed.
    /// Answers 200 with the object in both cases.
    func delete(_ definition: ResourceDefinition, namespace: String?, name: String, options: DeleteOptions, dryRun: Bool) async throws -> JSONValue {
        let storageKey = key(definition, namespace: namespace, name: name)
        if SideEffects.isNamespace(definition), BuiltinResources.protectedNamespaces.contains(name) {
            throw APIError(
                code: 403, reason: StatusReason.forbidden, message: "namespaces \"\(name)\" is forbidden: this namespace may not be deleted",
                details: StatusDetails(name: name, kind: "namespaces"))
        }
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
            if !ObjectLifecycle.finalizers(of: current.object).isEmpty {
                if current.object.value(at: ["metadata", "deletionTimestamp"]) != nil { return present(current.object, definition) }
                let now = self.now()
                do {
                    let marked = try await storage(definition, name: name) {
                        try await store.update(storageKey, expectedRevision: current.revision) { ObjectLifecycle.markDeleting($0.object, now: now) }
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

    /// Removes an object and what depends on it: a CRD's custom resources, a namespace's contents.
    @discardableResult
    func remove(_ definition: ResourceDefinition, key storageKey: StorageKey, expectedRevision: Int64?) async throws -> JSONValue {
        let removed = try await storage(definition, name: storageKey.name) { try await store.delete(storageKey, expectedRevision: expectedRevision) }
        if SideEffects.isCRD(definition) {
            registry.remove(crdNamed: storageKey.name)
            try await removeAll(resource: storageKey.name, namespace: nil)
        } else if SideEffects.isNamespace(definition) {
            for d in registry.all where d.namespaced {
                try await removeAll(resource: d.storageResource, namespace: storageKey.name)
            }
        }
        return removed.object
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
    func deleteCollection(_ definition: ResourceDefinition, namespace: String?, options: ListOptions, dryRun: Bool) async throws -> JSONValue {
        let (objects, revision) = try await storage(definition, name: "") {
            try await store.list(resource: definition.storageResource, namespace: definition.namespaced ? namespace : nil)
        }
        var deleted: [JSONValue] = []
        for o in objects where options.filter.matches(o.object) {
            do {
                deleted.append(try await delete(definition, namespace: o.key.namespace, name: o.key.name, options: DeleteOptions(body: nil), dryRun: dryRun))
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
