import Foundation
import KubernetesAPI

/// What writing certain kinds does besides storing them: CRDs get their status and change what is served.
enum SideEffects {
    /// Last changes to an object about to be stored (a CRD's status).
    static func beforeWrite(_ object: JSONValue, previous: JSONValue?, definition: ResourceDefinition, now: Date) -> JSONValue {
        guard isCRD(definition) else { return object }
        var o = object
        o["status"] = CustomResourceDefinitions.status(for: object, previous: previous, now: now)
        return o
    }

    /// Effects of a stored write: an installed or updated CRD is served at once.
    static func afterWrite(_ stored: StoredObject, definition: ResourceDefinition, registry: ResourceRegistry) {
        guard isCRD(definition) else { return }
        registry.install(crd: stored.object, revision: stored.revision)
    }

    static func isCRD(_ definition: ResourceDefinition) -> Bool {
        definition.group == "apiextensions.k8s.io" && definition.plural == "customresourcedefinitions"
    }

    static func isNamespace(_ definition: ResourceDefinition) -> Bool {
        definition.group == "" && definition.plural == "namespaces"
    }
}
