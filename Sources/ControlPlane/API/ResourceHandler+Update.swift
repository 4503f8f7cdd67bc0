import Foundation
import KubernetesAPI
import Synchronization

/// Collects warnings produced inside a storage transform.
final class WarningSink: Sendable {
    private let box = Mutex<[String]>([])
    func set(_ warnings: [String]) { box.withLock { $0 = warnings } }
    var warnings: [String] { box.withLock { $0 } }
}

extension ResourceHandler {
    /// PUT: replaces the object (or only its status, for `/status`); the body's resourceVersion is a precondition.
    func update(
        _ definition: ResourceDefinition, namespace: String?, name: String, body: JSONValue, subresource: String?, options: WriteOptions
    ) async throws -> (JSONValue, [String]) {
        try BodyChecks.checkTypeMeta(body, definition)
        let body = try BuiltinDecoding.check(body, definition: definition, origin: .body)
        if let bodyName = body.value(at: ["metadata", "name"])?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if definition.namespaced, let bodyNS = body.value(at: ["metadata", "namespace"])?.stringValue, !bodyNS.isEmpty, bodyNS != namespace {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        let expected = try ObjectLifecycle.resourceVersion(of: body)
        return try await write(
            definition, namespace: namespace, name: name, expectedRevision: expected, options: options, subresource: subresource
        ) { current in
            try ObjectLifecycle.prepareUpdate(old: current, new: body, definition: definition, subresource: subresource)
        }
    }

    /// PATCH: applies a merge, JSON or (built-in kinds) strategic merge patch to the current object, or
    /// server-side applies (`created` is true when that created the object).
    func patch(
        _ definition: ResourceDefinition, namespace: String?, name: String, contentType: String, patch: Data,
        subresource: String?, options: WriteOptions
    ) async throws -> (object: JSONValue, warnings: [String], created: Bool) {
        if ApplyPatch.matches(contentType) {
            return try await apply(definition, namespace: namespace, name: name, patch: patch, subresource: subresource, options: options)
        }
        if options.force {
            throw APIError.invalid(
                kind: "PatchOptions", group: "meta.k8s.io", name: "", causes: [.forbidden("force", "may not be specified for non-apply patch")])
        }
        let type = try PatchType(contentType: contentType, definition: definition)
        let (object, warnings) = try await write(
            definition, namespace: namespace, name: name, expectedRevision: nil, options: options, subresource: subresource
        ) { current in
            let patched = try BuiltinDecoding.check(
                try Patching.apply(type, patch: patch, to: current, kind: definition.kind), definition: definition,
                origin: type == .strategic ? .convertedPatch : .patch)
            if let rv = try ObjectLifecycle.resourceVersion(of: patched),
                rv != (try ObjectLifecycle.resourceVersion(of: current))
            {
                throw APIError.conflict(definition.name, name: name)
            }
            return try ObjectLifecycle.prepareUpdate(old: current, new: patched, definition: definition, subresource: subresource)
        }
        return (object, warnings, false)
    }

    /// The common update path: transform the current object, admit it, bump generation, enforce finalizer
    /// rules, record the write in managedFields (unless `recordsUpdate` is false: server-side apply records its
    /// own), store it (or not, for dry runs) and remove it when its last finalizer went away during deletion.
    func write(
        _ definition: ResourceDefinition, namespace: String?, name: String, expectedRevision: Int64?, options: WriteOptions,
        subresource: String? = nil, recordsUpdate: Bool = true,
        _ change: @escaping @Sendable (JSONValue) throws -> JSONValue
    ) async throws -> (JSONValue, [String]) {
        let storageKey = key(definition, namespace: namespace, name: name)
        let sink = WarningSink()
        let now = self.now()
        // A Service keeps its cluster IP and node ports, and gets those a changed type needs.
        let taken = subresource == nil && ServiceAllocation.applies(to: definition) ? try await servicesTaken(definition, except: namespace, name) : nil
        let transform: @Sendable (StoredObject) throws -> JSONValue = { stored in
            var current = stored
            current.object = present(stored.object, definition)
            let merged = try change(current.object)
            let (admitted, warnings) = try Admission.admit(
                merged, definition: definition, fieldValidation: options.fieldValidation, isCreate: false, now: now, old: current.object)
            sink.set(warnings)
            let final = ObjectLifecycle.withGeneration(
                old: current.object, new: SideEffects.beforeWrite(admitted, previous: current.object, definition: definition, now: now),
                statusIsSubresource: definition.hasStatusSubresource, tracked: definition.tracksGeneration)
            try ObjectLifecycle.checkFinalizers(old: current.object, new: final, definition: definition)
            try ObjectLifecycle.checkImmutable(old: current.object, new: final, definition: definition)
            var stored = toStorage(final, definition)
            if recordsUpdate {
                stored = FieldManager(definition: definition, subresource: subresource, now: now).update(live: current.object, new: stored, manager: options.manager)
            }
            if let taken { try ServiceAllocation.update(&stored, old: current.object, name: name, taken: taken) }
            return stored
        }
        if options.dryRun {
            let current = try await storage(definition, name: name) { try await store.get(storageKey) }
            guard let current else { throw APIError.notFound(definition.name, name: name) }
            if let expectedRevision, expectedRevision != current.revision { throw APIError.conflict(definition.name, name: name) }
            return (present(try transform(current), definition), sink.warnings)
        }
        let stored = try await storage(definition, name: name) {
            try await store.update(storageKey, expectedRevision: expectedRevision, transform)
        }
        SideEffects.afterWrite(stored, definition: definition, registry: registry)
        if ObjectLifecycle.readyToRemove(stored.object) {
            // Removing the last finalizer is racy: another write may have removed it too, and removed the object
            // (404), or changed it since (409; that write removes it in turn, as finalizers cannot come back during
            // deletion). The update succeeded either way, as kube-apiserver answers.
            do {
                try await remove(definition, key: storageKey, expectedRevision: stored.revision)
            } catch let e as APIError where e.code == 404 || e.code == 409 {}
        }
        return (present(stored.object, definition), sink.warnings)
    }
}
