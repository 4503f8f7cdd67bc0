import Foundation
import KubernetesAPI

/// `/scale`: an autoscaling/v1 Scale over an object's `spec.replicas` (what `kubectl scale` reads and patches).
extension ResourceHandler {
    /// The Scale view of an object: `spec.replicas` (default 1), `status.replicas` and the label selector as text;
    /// for a custom resource, what its CRD's scale paths point at (replicas missing count as 0).
    static func scale(of object: JSONValue, _ definition: ResourceDefinition) -> JSONValue {
        var metadata: [String: JSONValue] = [:]
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let v = object.value(at: ["metadata", key]) { metadata[key] = v }
        }
        if let paths = definition.scalePaths {
            var status: [String: JSONValue] = ["replicas": .int(object.value(at: paths.statusReplicas)?.intValue ?? 0)]
            if let path = paths.labelSelector, let selector = object.value(at: path)?.stringValue, !selector.isEmpty { status["selector"] = .string(selector) }
            return [
                "apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": .object(metadata),
                "spec": ["replicas": .int(object.value(at: paths.specReplicas)?.intValue ?? 0)], "status": .object(status),
            ]
        }
        let labels = object.value(at: ["spec", "selector", "matchLabels"])?.objectValue ?? [:]
        let selector = labels.keys.sorted().map { "\($0)=\(labels[$0]?.stringValue ?? "")" }.joined(separator: ",")
        return [
            "apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": .object(metadata),
            "spec": ["replicas": .int(object.value(at: ["spec", "replicas"])?.intValue ?? 1)],
            "status": ["replicas": .int(object.value(at: ["status", "replicas"])?.intValue ?? 0), "selector": .string(selector)],
        ]
    }

    /// GET `/scale`.
    func getScale(_ definition: ResourceDefinition, namespace: String?, name: String) async throws -> JSONValue {
        Self.scale(of: try await get(definition, namespace: namespace, name: name), definition)
    }

    /// PUT `/scale` (the body's resourceVersion is a precondition) or PATCH `/scale` (applied to the Scale view):
    /// only `spec.replicas` of the object changes.
    func updateScale(
        _ definition: ResourceDefinition, namespace: String?, name: String, options: WriteOptions,
        _ change: @escaping @Sendable (JSONValue) throws -> JSONValue
    ) async throws -> JSONValue {
        let (object, _) = try await write(definition, namespace: namespace, name: name, expectedRevision: nil, options: options, subresource: "scale") { current in
            let scale = try change(Self.scale(of: current, definition))
            if let rv = try ObjectLifecycle.resourceVersion(of: scale), rv != (try ObjectLifecycle.resourceVersion(of: current)) {
                throw APIError.conflict(definition.name, name: name)
            }
            let requested = scale.value(at: ["spec", "replicas"]) ?? .null
            // Scale.spec.replicas is an int32: only an integer literal in its range decodes.
            guard case .int(let replicas) = requested, replicas <= Int64(Int32.max) else {
                throw APIError.invalid(
                    kind: "Scale", group: "autoscaling", name: name,
                    causes: [.invalid("spec.replicas", value: requested, "must be an integer of type int32")])
            }
            guard replicas >= 0 else {
                throw APIError.invalid(
                    kind: "Scale", group: "autoscaling", name: name,
                    causes: [.invalid("spec.replicas", value: requested, "must be greater than or equal to 0")])
            }
            var o = current
            o.setValue(.int(replicas), at: definition.scalePaths?.specReplicas ?? ["spec", "replicas"])
            return o
        }
        return Self.scale(of: object, definition)
    }
}
