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
    public var apiVersion: String
    /// Always `ConfigMap`.
    public var kind: String
    /// The object's metadata.
    public var metadata: ObjectMeta
    /// UTF-8 values.
    public var data: [String: String]?
    /// Binary values, base64-encoded.
    public var binaryData: [String: String]?
    /// When true, data cannot change.
    public var immutable: Bool?

    /// Creates a ConfigMap.
    public init(metadata: ObjectMeta, data: [String: String]? = nil, binaryData: [String: String]? = nil, immutable: Bool? = nil) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.data = data
        self.binaryData = binaryData
        self.immutable = immutable
    }

    /// Decodes, defaulting an absent `apiVersion`, `kind` or `metadata`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeAPIVersion(of: Self.self, forKey: .apiVersion)
        kind = try c.decodeKind(of: Self.self, forKey: .kind)
        metadata = try c.decodeMetadata(forKey: .metadata)
        data = try c.decodeIfPresent([String: String].self, forKey: .data)
        binaryData = try c.decodeIfPresent([String: String].self, forKey: .binaryData)
        immutable = try c.decodeIfPresent(Bool.self, forKey: .immutable)
    }
}

/// A list of ConfigMaps.
public typealias ConfigMapList = KubeList<ConfigMap>
