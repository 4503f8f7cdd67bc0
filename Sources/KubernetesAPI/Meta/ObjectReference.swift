import Foundation

/// `core/v1.ObjectReference`: points at one object, as Events' `regarding` does.
public struct ObjectReference: Codable, Hashable, Sendable {
    /// The object's apiVersion.
    public var apiVersion: String?
    /// The object's kind.
    public var kind: String?
    /// The object's namespace.
    public var namespace: String?
    /// The object's name.
    public var name: String?
    /// The object's uid.
    public var uid: String?
    /// The object's resourceVersion when the reference was made.
    public var resourceVersion: String?
    /// A field inside the object, such as `spec.containers{app}`.
    public var fieldPath: String?

    /// Creates a reference.
    public init(
        apiVersion: String? = nil, kind: String? = nil, namespace: String? = nil, name: String? = nil,
        uid: String? = nil, resourceVersion: String? = nil, fieldPath: String? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.fieldPath = fieldPath
    }

    /// A reference to a typed object.
    public init<R: KubeResource>(to object: R) {
        self.init(
            apiVersion: R.apiVersion, kind: R.kind, namespace: object.metadata.namespace, name: object.metadata.name,
            uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion
        )
    }
}
