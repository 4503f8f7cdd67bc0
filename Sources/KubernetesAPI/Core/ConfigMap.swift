import Foundation

/// `core/v1.ConfigMap`: non-secret key/value data. Fencing markers are ConfigMaps.
public struct ConfigMap: KubeResource, Hashable {
    /// The resource `configmaps` in `v1`.
    public static let groupVersionResource = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    /// `ConfigMap`.
    public static let kind = "ConfigMap"
    /// ConfigMaps are namespaced.
    public static let isNamespaced = true

    /// Always `v1`.
    @DefaultAPIVersion<Self> public var apiVersion: String
    /// Always `ConfigMap`.
    @DefaultKind<Self> public var kind: String
    /// The object's metadata.
    @DefaultEmpty public var metadata: ObjectMeta
    /// UTF-8 values.
    public var data: [String: String]?
    /// Binary values, base64-encoded.
    public var binaryData: [String: String]?
    /// When true, data cannot change.
    public var immutable: Bool?

    /// Creates a ConfigMap.
    public init(metadata: ObjectMeta, data: [String: String]? = nil, binaryData: [String: String]? = nil, immutable: Bool? = nil) {
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }
}

/// A list of ConfigMaps.
public typealias ConfigMapList = KubeList<ConfigMap>
