import Foundation
import KubernetesAPI

extension WriteOptions {
    /// The manager an ordinary write is recorded under: `fieldManager`, else the User-Agent's first path
    /// segment (`kubectl/v1.32.0 (linux/amd64)` → `kubectl`), at most 128 characters.
    var manager: String {
        if let fieldManager, !fieldManager.isEmpty { return fieldManager }
        let agent = userAgent ?? ""
        return String((agent.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").prefix(128))
    }
}

/// `application/apply-patch+yaml` bodies.
enum ApplyPatch {
    static let mediaType = "application/apply-patch+yaml"

    static func matches(_ contentType: String) -> Bool {
        contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } == mediaType
    }

    /// The applied configuration: JSON, or YAML (block or flow style).
    static func decode(_ data: Data) throws -> JSONValue {
        let config: JSONValue
        if let json = try? CompactJSON.decode(data) {
            config = json
        } else {
            do {
                config = try ApplyYAML.parse(String(decoding: data, as: UTF8.self))
            } catch {
                throw APIError.badRequest("error decoding YAML: \(error)")
            }
        }
        guard config.objectValue != nil else { throw APIError.badRequest("error decoding YAML: the applied configuration must be an object") }
        return config
    }
}

extension ResourceHandler {
    /// PATCH with `application/apply-patch+yaml`: server-side apply by the request's `fieldManager` (required).
    /// Creates the object when it does not exist (`created` is then true: kube-apiserver answers 201).
    func apply(
        _ definition: ResourceDefinition, namespace: String?, name: String, patch: Data, subresource: String?, options: WriteOptions
    ) async throws -> (object: JSONValue, warnings: [String], created: Bool) {
        guard let manager = options.fieldManager, !manager.isEmpty else {
            // kube-apiserver validates PatchOptions first and answers 422 Invalid.
            throw APIError.invalid(
                kind: "PatchOptions", group: "meta.k8s.io", name: "", causes: [.required("fieldManager", "is required for apply patch")])
        }
        var config = try ApplyPatch.decode(patch)
        try BodyChecks.checkTypeMeta(config, definition)
        if (config["apiVersion"]?.stringValue ?? "").isEmpty || (config["kind"]?.stringValue ?? "").isEmpty {
            throw APIError.badRequest("error decoding YAML: Object 'Kind' or 'apiVersion' is missing in the applied configuration")
        }
        if config.value(at: ["metadata", "managedFields"]) != nil {
            throw APIError.badRequest("metadata.managedFields must be nil")
        }
        let bodyName = config.value(at: ["metadata", "name"])?.stringValue ?? ""
        if !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        config.setValue(.string(name), at: ["metadata", "name"])
        if definition.namespaced, let bodyNS = config.value(at: ["metadata", "namespace"])?.stringValue, !bodyNS.isEmpty, bodyNS != namespace {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        let fields = FieldManager(definition: definition, subresource: subresource, now: now())
        let applied = config
        let force = options.force
        for _ in 0..<2 {
            let current = try await storage(definition, name: name) { try await store.get(key(definition, namespace: namespace, name: name)) }
            if current == nil {
                guard subresource == nil else { throw APIError.notFound(definition.name, name: name) }
                let object: JSONValue
                do {
                    object = try BuiltinDecoding.check(
                        try fields.apply(live: nil, config: applied, manager: manager, force: force), definition: definition,
                        origin: .convertedPatch)
                } catch let conflicts as ApplyConflicts {
                    throw conflicts.apiError
                }
                do {
                    let (created, warnings) = try await create(definition, namespace: namespace, body: object, options: options, recordsUpdate: false)
                    return (created, warnings, true)
                } catch let e as APIError where e.status.reason == StatusReason.alreadyExists {
                    continue
                }
            }
            let (object, warnings) = try await write(
                definition, namespace: namespace, name: name, expectedRevision: nil, options: options, subresource: subresource, recordsUpdate: false
            ) { current in
                if let rv = try ObjectLifecycle.resourceVersion(of: applied), rv != (try ObjectLifecycle.resourceVersion(of: current)) {
                    throw APIError.conflict(definition.name, name: name)
                }
                let merged: JSONValue
                do {
                    merged = try BuiltinDecoding.check(
                        try fields.apply(live: current, config: applied, manager: manager, force: force), definition: definition,
                        origin: .convertedPatch)
                } catch let conflicts as ApplyConflicts {
                    throw conflicts.apiError
                }
                var prepared = try ObjectLifecycle.prepareUpdate(old: current, new: merged, definition: definition, subresource: subresource)
                prepared.setValue(merged.value(at: ["metadata", "managedFields"]), at: ["metadata", "managedFields"])
                return prepared
            }
            return (object, warnings, false)
        }
        throw APIError.conflict(definition.name, name: name)
    }
}
