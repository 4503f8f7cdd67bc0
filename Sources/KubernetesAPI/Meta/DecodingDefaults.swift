import Foundation

/// The `apiVersion` or `kind` field of a typed object: the type's own until the JSON names one.
/// Built-in list items arrive without them, so an absent or null field decodes as the type's own.
///
/// With ``DefaultEmpty`` it lets a kind keep the synthesized `Codable`:
/// ```swift
/// @DefaultAPIVersion<Self> public var apiVersion: String
/// @DefaultKind<Self> public var kind: String
/// @DefaultEmpty public var metadata: ObjectMeta
/// ```
@propertyWrapper
public struct TypeMetaField<Resource: KubeResource, Field: TypeMetaFieldDefault>: Codable, Hashable, Sendable {
    /// The value, such as `apps/v1` or `Deployment`.
    public var wrappedValue: String

    /// The type's own value.
    public init() { wrappedValue = Field.value(of: Resource.self) }

    /// Decodes a string.
    public init(from decoder: any Decoder) throws { wrappedValue = try decoder.singleValueContainer().decode(String.self) }

    /// Encodes the string.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue)
    }
}

/// Which of a type's own values a ``TypeMetaField`` falls back to.
public protocol TypeMetaFieldDefault {
    /// The type's own value of the field.
    static func value<Resource: KubeResource>(of resource: Resource.Type) -> String
}

/// Falls back to the type's `apiVersion`.
public enum APIVersionFieldDefault: TypeMetaFieldDefault {
    /// `v1` or `group/version`.
    public static func value<Resource: KubeResource>(of resource: Resource.Type) -> String { Resource.apiVersion }
}

/// Falls back to the type's `kind`.
public enum KindFieldDefault: TypeMetaFieldDefault {
    /// The kind, such as `ConfigMap`.
    public static func value<Resource: KubeResource>(of resource: Resource.Type) -> String { Resource.kind }
}

/// The `apiVersion` field of a typed object, `Resource.apiVersion` when absent.
public typealias DefaultAPIVersion<Resource: KubeResource> = TypeMetaField<Resource, APIVersionFieldDefault>
/// The `kind` field of a typed object, `Resource.kind` when absent.
public typealias DefaultKind<Resource: KubeResource> = TypeMetaField<Resource, KindFieldDefault>

/// A type with an empty value that stands in for an absent or null field.
public protocol EmptyDefaultable {
    /// The empty value.
    static var emptyDefault: Self { get }
}

extension ObjectMeta: EmptyDefaultable {
    /// Metadata with no field set.
    public static var emptyDefault: ObjectMeta { ObjectMeta() }
}

extension Array: EmptyDefaultable {
    /// The empty list.
    public static var emptyDefault: Array { [] }
}

/// A field that decodes as its empty value when absent or null: `metadata` of list items, and lists
/// the API server sends as `null`.
@propertyWrapper
public struct DefaultEmpty<Value: Codable & Sendable & EmptyDefaultable>: Codable, Sendable {
    /// The value.
    public var wrappedValue: Value

    /// Wraps a value.
    public init(wrappedValue: Value) { self.wrappedValue = wrappedValue }

    /// Decodes the value.
    public init(from decoder: any Decoder) throws { wrappedValue = try decoder.singleValueContainer().decode(Value.self) }

    /// Encodes the value.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(wrappedValue)
    }
}

extension DefaultEmpty: Equatable where Value: Equatable {}
extension DefaultEmpty: Hashable where Value: Hashable {}

extension KeyedDecodingContainer {
    /// Decodes an `apiVersion` or `kind`, falling back to the type's own when absent or null.
    public func decode<R, F>(_ type: TypeMetaField<R, F>.Type, forKey key: Key) throws -> TypeMetaField<R, F> {
        try decodeIfPresent(type, forKey: key) ?? TypeMetaField()
    }

    /// Decodes a value, falling back to its empty value when absent or null.
    public func decode<V>(_ type: DefaultEmpty<V>.Type, forKey key: Key) throws -> DefaultEmpty<V> {
        try decodeIfPresent(type, forKey: key) ?? DefaultEmpty(wrappedValue: V.emptyDefault)
    }
}
