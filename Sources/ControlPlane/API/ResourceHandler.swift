import Foundation
import KubernetesAPI
import Logging

/// The object semantics of kube-apiserver on top of an `ObjectStore`: create, read, list, update,
/// patch and delete, with metadata rules, admission, finalizers and CRD side effects.
struct ResourceHandler: Sendable {
    let store: any ObjectStore
    let registry: ResourceRegistry
    let now: @Sendable () -> Date
    let logger: Logger

    func key(_ definition: ResourceDefinition, namespace: String?, name: String) -> StorageKey {
        StorageKey(resource: definition.storageResource, namespace: definition.namespaced ? (namespace ?? "") : "", name: name)
    }

    /// Runs a storage call, turning `StorageError`s into the Status kube-apiserver would answer with.
    func storage<T: Sendable>(_ definition: ResourceDefinition, name: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let e as StorageError {
            switch e.code {
            case .notFound: throw APIError.notFound(definition.name, name: name)
            case .alreadyExists: throw APIError.alreadyExists(definition.name, name: name)
            case .conflict: throw APIError.conflict(definition.name, name: name)
            case .expired(let oldest): throw APIError.expired(requested: 0, oldest: oldest)
            case .tooLarge(let limit):
                throw APIError.tooLarge(limit: limit)
            case .unavailable: throw APIError.storageUnavailable(e.message)
            case .internalError: throw APIError.internalError(e.message)
            }
        }
    }

    /// The object as served in `definition`'s version (custom resources are stored once for all versions;
    /// events.k8s.io Events are stored as core Events).
    func present(_ object: JSONValue, _ definition: ResourceDefinition) -> JSONValue {
        if definition.storedAs == EventConversion.storageResource { return EventConversion.toEventsV1(object) }
        if definition.storageResource == EventConversion.storageResource { return EventConversion.servedAsCore(object) }
        guard definition.isCustom, object["apiVersion"]?.stringValue != definition.apiVersion else { return object }
        var o = object
        o["apiVersion"] = .string(definition.apiVersion)
        return o
    }

    /// The stored shape of an object served as `definition` (the inverse of `present`).
    func toStorage(_ object: JSONValue, _ definition: ResourceDefinition) -> JSONValue {
        definition.storageResource == EventConversion.storageResource ? EventConversion.toCore(object) : object
    }

    /// A storage event with its objects as served in `definition` (only differs for converted resources
    /// and Events).
    func present(_ event: StorageEvent, _ definition: ResourceDefinition) -> StorageEvent {
        guard definition.storedAs != nil || definition.storageResource == EventConversion.storageResource else { return event }
        return StorageEvent(
            type: event.type, key: event.key, object: present(event.object, definition),
            previous: event.previous.map { present($0, definition) }, revision: event.revision)
    }

    // MARK: Read

    func get(_ definition: ResourceDefinition, namespace: String?, name: String) async throws -> JSONValue {
        let stored = try await storage(definition, name: name) { try await store.get(key(definition, namespace: namespace, name: name)) }
        guard let stored else { throw APIError.notFound(definition.name, name: name) }
        return present(stored.object, definition)
    }

    /// A `…List` object: filtered, optionally paginated, with the store's revision.
    func list(_ definition: ResourceDefinition, namespace: String?, options: ListOptions) async throws -> JSONValue {
        // Later pages read at the first page's revision, so a paged list is one snapshot where the store keeps old states.
        let start = try options.continueToken.map { try ContinueToken(decoding: $0) }
        var (objects, revision) = try await snapshot(definition, namespace: namespace, at: start?.revision)
        if start == nil {
            try Self.checkRevision(options, current: revision, servesPastRevisions: store.servesPastRevisions)
            if options.resourceVersionMatch == .exact, let exact = options.minimumRevision, exact < revision {
                (objects, revision) = try await pastSnapshot(definition, namespace: namespace, at: exact)
            }
        }
        var items = objects.filter { options.filter.matches(present($0.object, definition)) }
        var meta: [String: JSONValue] = ["resourceVersion": .string(String(revision))]
        if let start {
            items = items.filter { ContinueToken.position(of: $0.key) > start.after }
        }
        if let limit = options.limit, items.count > limit {
            let remaining = items.count - limit
            items = Array(items.prefix(limit))
            meta["continue"] = .string(ContinueToken(revision: revision, after: ContinueToken.position(of: items.last!.key)).encoded)
            meta["remainingItemCount"] = .int(Int64(remaining))
        }
        return [
            "apiVersion": .string(definition.apiVersion), "kind": .string(definition.listKind),
            "metadata": .object(meta), "items": .array(items.map { present($0.object, definition) }),
        ]
    }

    /// The objects of a list (at `revision` for the later pages of a paged list); a continue token whose
    /// revision is compacted away gets kube-apiserver's 410.
    private func snapshot(
        _ definition: ResourceDefinition, namespace: String?, at revision: Int64?
    ) async throws -> (objects: [StoredObject], revision: Int64) {
        let resource = definition.storageResource, ns = definition.namespaced ? namespace : nil
        guard let revision else { return try await storage(definition, name: "") { try await store.list(resource: resource, namespace: ns) } }
        do {
            return try await store.list(resource: resource, namespace: ns, atRevision: revision)
        } catch let e as StorageError {
            guard case .expired = e.code else { return try await storage(definition, name: "") { throw e } }
            throw APIError(
                code: 410, reason: StatusReason.expired,
                message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
        }
    }

    /// The objects of an `Exact` list at an older revision, from a store that keeps past states; a
    /// revision compacted away gets kube-apiserver's 410.
    private func pastSnapshot(
        _ definition: ResourceDefinition, namespace: String?, at revision: Int64
    ) async throws -> (objects: [StoredObject], revision: Int64) {
        do {
            return try await store.list(resource: definition.storageResource, namespace: definition.namespaced ? namespace : nil, atRevision: revision)
        } catch let e as StorageError {
            guard case .expired = e.code else { return try await storage(definition, name: "") { throw e } }
            throw APIError.listTooOld()
        }
    }

    /// A list or watch at revision N needs a store at least at N (504 otherwise, as kube-apiserver answers
    /// when its cache cannot catch up). An `Exact` list at an older revision is served from a store that
    /// keeps past states (etcd, until compaction); a store that keeps only the current state answers 410,
    /// as if that revision were compacted.
    static func checkRevision(_ options: ListOptions, current: Int64, servesPastRevisions: Bool = false) throws {
        guard let requested = options.minimumRevision else { return }
        if requested > current { throw APIError.resourceVersionTooLarge(requested: requested, current: current) }
        if options.resourceVersionMatch == .exact, !options.watch, requested < current, !servesPastRevisions { throw APIError.listTooOld() }
    }

    // MARK: Create

    /// POST: creates the object, recording the write in managedFields unless `recordsUpdate` is false
    /// (server-side apply records its own).
    func create(
        _ definition: ResourceDefinition, namespace: String?, body: JSONValue, options: WriteOptions, recordsUpdate: Bool = true
    ) async throws -> (JSONValue, [String]) {
        try BodyChecks.checkTypeMeta(body, definition)
        var object = try BuiltinDecoding.check(body, definition: definition, origin: .body)
        // kube-apiserver's storage refuses it, and answers 500 with this bare message (a client that sent
        // back an object it read must drop the field).
        if recordsUpdate, let rv = object.value(at: ["metadata", "resourceVersion"])?.stringValue, !rv.isEmpty {
            throw APIError(Status(message: "resourceVersion should not be set on objects to be created", reason: nil, details: nil, code: 500))
        }
        if definition.namespaced {
            let ns = namespace ?? ""
            if let bodyNS = object.value(at: ["metadata", "namespace"])?.stringValue, !bodyNS.isEmpty, bodyNS != ns {
                throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
            }
            object.setValue(.string(ns), at: ["metadata", "namespace"])
            // The write checks the namespace atomically; a dry run (which never writes) or a missing
            // namespace name is checked here.
            if options.dryRun || ns.isEmpty {
                try await requireNamespace(ns, creating: definition, name: object.value(at: ["metadata", "name"])?.stringValue ?? "")
            }
        } else {
            object.setValue(nil, at: ["metadata", "namespace"])
        }
        let generateName = object.value(at: ["metadata", "generateName"])?.stringValue ?? ""
        let explicitName = object.value(at: ["metadata", "name"])?.stringValue ?? ""
        if explicitName.isEmpty && generateName.isEmpty {
            throw APIError.invalid(
                kind: definition.kind, group: definition.group, name: "",
                causes: [.required("metadata.name", "name or generateName is required")])
        }
        for attempt in 0..<8 {
            let name = explicitName.isEmpty ? generateName + NameValidation.randomSuffix() : explicitName
            object.setValue(.string(name), at: ["metadata", "name"])
            let nameErrors = NameValidation.validate(name, for: definition)
            if !nameErrors.isEmpty {
                throw APIError.invalid(kind: definition.kind, group: definition.group, name: name, causes: nameErrors)
            }
            var prepared = ObjectLifecycle.prepareCreate(object, definition: definition, now: now())
            let (admitted, warnings) = try Admission.admit(
                prepared, definition: definition, fieldValidation: options.fieldValidation, isCreate: true, now: now())
            prepared = SideEffects.beforeWrite(admitted, previous: nil, definition: definition, now: now())
            if recordsUpdate {
                prepared = FieldManager(definition: definition, subresource: nil, now: now()).update(live: nil, new: prepared, manager: options.manager)
            }
            if ServiceAllocation.applies(to: definition) {
                try ServiceAllocation.allocate(&prepared, name: name, taken: try await servicesTaken(definition, except: namespace, name))
            }
            if options.dryRun { return (prepared, warnings) }
            do {
                let stored = try await storage(definition, name: name) {
                    let storageKey = key(definition, namespace: namespace, name: name)
                    guard definition.namespaced, let ns = namespace, !ns.isEmpty else {
                        return try await store.create(storageKey, object: toStorage(prepared, definition))
                    }
                    do {
                        return try await store.create(storageKey, object: toStorage(prepared, definition), inNamespace: ns)
                    } catch let unavailable as NamespaceUnavailable {
                        throw Self.namespaceError(unavailable, creating: definition, name: name)
                    }
                }
                SideEffects.afterWrite(stored, definition: definition, registry: registry)
                logger.debug("Created object", metadata: ["resource": "\(definition.name.qualified)", "name": "\(name)"])
                return (present(stored.object, definition), warnings)
            } catch let e as APIError where e.status.reason == StatusReason.alreadyExists && explicitName.isEmpty && attempt < 7 {
                continue
            }
        }
        throw APIError.internalError("could not generate a unique name from \(generateName)")
    }

    /// The cluster IPs and node ports the stored Services hold, but Service `namespace/name`'s.
    func servicesTaken(_ definition: ResourceDefinition, except namespace: String?, _ name: String) async throws -> ServiceAllocation.Taken {
        let services = try await storage(definition, name: name) { try await store.list(resource: definition.storageResource, namespace: nil) }
        return ServiceAllocation.Taken(services.objects.map(\.object), except: namespace, name)
    }

    /// 404 `namespaces "x" not found` unless the namespace exists; 403 while it is terminating.
    func requireNamespace(_ namespace: String, creating definition: ResourceDefinition, name: String) async throws {
        let nsKey = StorageKey(resource: "namespaces", namespace: "", name: namespace)
        let found = try await storage(BuiltinResources.namespaceDefinition, name: namespace) { try await store.get(nsKey) }
        if let unavailable = NamespaceUnavailable.check(namespace, object: found?.object) {
            throw Self.namespaceError(unavailable, creating: definition, name: name)
        }
    }

    /// kube-apiserver's answers for a create into a missing (404) or terminating (403) namespace.
    static func namespaceError(_ unavailable: NamespaceUnavailable, creating definition: ResourceDefinition, name: String) -> APIError {
        guard unavailable.terminating else {
            return APIError.notFound(ResourceName(group: "", plural: "namespaces"), name: unavailable.namespace)
        }
        return APIError(
            code: 403, reason: StatusReason.forbidden,
            message: "\(definition.name.qualified) \"\(name)\" is forbidden: unable to create new content in namespace \(unavailable.namespace) because it is being terminated",
            details: StatusDetails(name: name, group: definition.group.isEmpty ? nil : definition.group, kind: definition.plural))
    }
}

/// Checks on request bodies shared by create and update.
enum BodyChecks {
    /// A body's apiVersion and kind, when present, must name the resource's kind.
    static func checkTypeMeta(_ body: JSONValue, _ definition: ResourceDefinition) throws {
        guard body.objectValue != nil else { throw APIError.badRequest("the body of the request must be a JSON object") }
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != definition.kind {
            throw APIError.badRequest("the kind in the data (\(kind)) does not match the expected kind (\(definition.kind))")
        }
        if let apiVersion = body["apiVersion"]?.stringValue, !apiVersion.isEmpty {
            let gv = GroupVersionKind(apiVersion: apiVersion, kind: "")
            if gv.group != definition.group {
                throw APIError.badRequest(
                    "the API version in the data (\(apiVersion)) does not match the expected API version (\(definition.apiVersion))")
            }
        }
    }
}
