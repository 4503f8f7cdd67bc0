import Foundation

/// A group, version and kind.
public struct GroupVersionKind: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The API group; empty for the core group.
    public var group: String
    /// The version, such as `v1`.
    public var version: String
    /// The kind, such as `ConfigMap`.
    public var kind: String

    /// Creates a GVK.
    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// Parses an `apiVersion` (`v1` or `group/version`) and a kind.
    public init(apiVersion: String, kind: String) {
        if let slash = apiVersion.firstIndex(of: "/") {
            group = String(apiVersion[..<slash])
            version = String(apiVersion[apiVersion.index(after: slash)...])
        } else {
            group = ""
            version = apiVersion
        }
        self.kind = kind
    }

    /// `v1` or `group/version`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `Kind.version.group`.
    public var description: String { group.isEmpty ? "\(kind).\(version)" : "\(kind).\(version).\(group)" }
}

/// A group, version and plural resource name: what a REST path addresses.
public struct GroupVersionResource: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The API group; empty for the core group.
    public var group: String
    /// The version.
    public var version: String
    /// The plural resource, such as `configmaps`.
    public var resource: String

    /// Creates a GVR.
    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }

    /// `v1` or `group/version`.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `resource.group` (kube-apiserver's qualified resource, used in error messages).
    public var groupResource: String { group.isEmpty ? resource : "\(resource).\(group)" }

    /// The REST path prefix: `/api/v1` or `/apis/group/version`.
    public var pathPrefix: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// `resource.version.group`.
    public var description: String { group.isEmpty ? "\(resource).\(version)" : "\(resource).\(version).\(group)" }
}

/// A Kubernetes object type Concord reads or writes with typed access.
public protocol KubeResource: Codable, Sendable {
    /// The group, version and plural resource of the type.
    static var groupVersionResource: GroupVersionResource { get }
    /// The kind, such as `Datacenter`.
    static var kind: String { get }
    /// True for namespaced kinds, false for cluster-scoped ones.
    static var isNamespaced: Bool { get }
    /// The object's metadata.
    var metadata: ObjectMeta { get set }
}

extension KubeResource {
    /// `v1` or `group/version`.
    public static var apiVersion: String { groupVersionResource.apiVersion }
    /// The group, version and kind of the type.
    public static var groupVersionKind: GroupVersionKind {
        GroupVersionKind(group: groupVersionResource.group, version: groupVersionResource.version, kind: kind)
    }
}

/// A kind with a status subresource.
public protocol StatusHavingResource: KubeResource {
    /// The status type.
    associatedtype ResourceStatus: Codable & Sendable & Equatable
    /// The observed state; written only through `/status`.
    var status: ResourceStatus? { get set }
}
