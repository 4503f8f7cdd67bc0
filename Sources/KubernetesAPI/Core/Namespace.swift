import Foundation

/// `core/v1.Namespace` (cluster-scoped). Replication creates missing target namespaces.
public struct Namespace: StatusHavingResource, Hashable {
    /// The resource `namespaces` in `v1`.
    public static let groupVersionResource = GroupVersionResource(group: "", version: "v1", resource: "namespaces")
    /// `Namespace`.
    public static let kind = "Namespace"
    /// Namespaces are cluster-scoped.
    public static let isNamespaced = false

    /// Always `v1`.
    @DefaultAPIVersion<Self> public var apiVersion: String
    /// Always `Namespace`.
    @DefaultKind<Self> public var kind: String
    /// The object's metadata.
    @DefaultEmpty public var metadata: ObjectMeta
    /// Finalizers the namespace controller waits for.
    public var spec: NamespaceSpec?
    /// Active or Terminating.
    public var status: NamespaceStatus?

    /// Creates a Namespace.
    public init(metadata: ObjectMeta, spec: NamespaceSpec? = nil, status: NamespaceStatus? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    /// Creates a Namespace with just a name.
    public init(name: String) { self.init(metadata: ObjectMeta(name: name)) }
}

/// A list of Namespaces.
public typealias NamespaceList = KubeList<Namespace>

/// `core/v1.NamespaceSpec`.
public struct NamespaceSpec: Codable, Hashable, Sendable {
    /// Finalizers, such as `kubernetes`.
    public var finalizers: [String]?

    /// Creates a spec.
    public init(finalizers: [String]? = nil) { self.finalizers = finalizers }
}

/// `core/v1.NamespaceStatus`.
public struct NamespaceStatus: Codable, Hashable, Sendable {
    /// `Active` or `Terminating`.
    public var phase: String?

    /// Creates a status.
    public init(phase: String? = nil) { self.phase = phase }
}
