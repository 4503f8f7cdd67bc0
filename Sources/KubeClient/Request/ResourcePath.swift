import Foundation
import KubernetesAPI

/// Where a resource lives: its group-version-resource and whether it is namespaced.
public struct ResourceScope: Sendable, Hashable {
    /// The group, version and plural resource.
    public var resource: GroupVersionResource
    /// True for namespaced kinds.
    public var isNamespaced: Bool

    /// Creates a scope.
    public init(_ resource: GroupVersionResource, namespaced: Bool) {
        self.resource = resource
        self.isNamespaced = namespaced
    }

    /// The scope of a typed resource.
    public static func of<R: KubeResource>(_ type: R.Type) -> ResourceScope {
        ResourceScope(R.groupVersionResource, namespaced: R.isNamespaced)
    }

    /// The REST path of a collection or object.
    ///
    /// - Namespaced kind with a namespace: `/apis/g/v/namespaces/ns/res[/name[/sub]]`.
    /// - Namespaced kind without one: `/apis/g/v/res` (all namespaces; lists and watches only).
    /// - Cluster-scoped kind: `/apis/g/v/res[/name[/sub]]`; a namespace is ignored.
    public func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var p = resource.pathPrefix
        if isNamespaced, let ns = namespace, !ns.isEmpty {
            p += "/namespaces/" + QueryEncoding.encodePathSegment(ns)
        }
        p += "/" + resource.resource
        if let name {
            p += "/" + QueryEncoding.encodePathSegment(name)
            if let subresource { p += "/" + subresource }
        }
        return p
    }
}
