import Foundation

/// `core/v1.Secret`. `data` holds base64 text exactly as the API transports it; use
/// ``decodedData(_:)`` and ``setData(_:_:)`` for the bytes. Kubeconfigs of Push-mode members live here.
public struct Secret: KubeResource, Hashable {
    /// The resource `secrets` in `v1`.
    public static let groupVersionResource = GroupVersionResource(group: "", version: "v1", resource: "secrets")
    /// `Secret`.
    public static let kind = "Secret"
    /// Secrets are namespaced.
    public static let isNamespaced = true
    /// The type when none is given.
    public static let opaqueType = "Opaque"

    /// Always `v1`.
    @DefaultAPIVersion<Self> public var apiVersion: String
    /// Always `Secret`.
    @DefaultKind<Self> public var kind: String
    /// The object's metadata.
    @DefaultEmpty public var metadata: ObjectMeta
    /// Values, base64-encoded.
    public var data: [String: String]?
    /// Write-only plain-text values; the server merges them into `data`.
    public var stringData: [String: String]?
    /// The secret type, such as `Opaque` or `kubernetes.io/tls`.
    public var type: String?
    /// When true, data cannot change.
    public var immutable: Bool?

    /// Creates a Secret.
    public init(
        metadata: ObjectMeta, data: [String: String]? = nil, stringData: [String: String]? = nil,
        type: String? = nil, immutable: Bool? = nil
    ) {
        self.metadata = metadata
        self.data = data
        self.stringData = stringData
        self.type = type
        self.immutable = immutable
    }

    /// The bytes under `key`, from `data` (base64) or else `stringData`; nil when absent or not valid base64.
    public func decodedData(_ key: String) -> Data? {
        if let encoded = data?[key] { return Data(base64Encoded: encoded) }
        return stringData?[key].map { Data($0.utf8) }
    }

    /// Stores bytes under `key` in `data`, base64-encoded.
    public mutating func setData(_ key: String, _ value: Data) {
        var d = data ?? [:]
        d[key] = value.base64EncodedString()
        data = d
    }
}

/// A list of Secrets.
public typealias SecretList = KubeList<Secret>
