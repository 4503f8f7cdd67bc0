import Foundation

/// A structural OpenAPI v3 schema node, as a CustomResourceDefinition's `openAPIV3Schema` holds it
/// (`apiextensions.k8s.io/v1.JSONSchemaProps`, the subset Concord uses).
///
/// Build nodes with the static builders (``string(_:pattern:minLength:maxLength:format:default:)``,
/// ``object(_:properties:required:default:)``…) and render them with ``json``.
public struct JSONSchemaProps: Hashable, Sendable {
    /// `object`, `array`, `string`, `integer`, `number` or `boolean`.
    public var type: String?
    /// A format hint: `date-time`, `int32`, `int64`…
    public var format: String?
    /// What the field means; `kubectl explain` prints it.
    public var description: String?
    /// The fields of an object.
    public var properties: [String: JSONSchemaProps]?
    /// The fields an object must have.
    public var required: [String]?
    /// The allowed values.
    public var enumValues: [JSONValue]?
    /// The value the API server fills in when the field is absent.
    public var defaultValue: JSONValue?
    /// Smallest allowed number.
    public var minimum: Double?
    /// Largest allowed number.
    public var maximum: Double?
    /// Shortest allowed string.
    public var minLength: Int?
    /// Longest allowed string.
    public var maxLength: Int?
    /// Fewest allowed array items.
    public var minItems: Int?
    /// Most allowed array items.
    public var maxItems: Int?
    /// A regular expression strings must match.
    public var pattern: String?
    /// True when `null` is accepted (and kept).
    public var nullable: Bool?
    /// `x-kubernetes-list-type`: `atomic`, `set` or `map`.
    public var listType: String?
    /// `x-kubernetes-list-map-keys`: the item fields that identify an item of a `map` list.
    public var listMapKeys: [String]?
    /// `x-kubernetes-preserve-unknown-fields`: keep fields the schema does not list.
    public var preserveUnknownFields: Bool?
    private var boxedItems: [JSONSchemaProps]
    private var boxedAdditionalProperties: [JSONSchemaProps]

    /// The schema of each array item.
    public var items: JSONSchemaProps? {
        get { boxedItems.first }
        set { boxedItems = newValue.map { [$0] } ?? [] }
    }

    /// The schema of each value of a map-like object (its keys are free).
    public var additionalProperties: JSONSchemaProps? {
        get { boxedAdditionalProperties.first }
        set { boxedAdditionalProperties = newValue.map { [$0] } ?? [] }
    }

    /// Creates a node; prefer the static builders.
    public init(
        type: String? = nil, format: String? = nil, description: String? = nil, properties: [String: JSONSchemaProps]? = nil,
        required: [String]? = nil, items: JSONSchemaProps? = nil, additionalProperties: JSONSchemaProps? = nil,
        enumValues: [JSONValue]? = nil, defaultValue: JSONValue? = nil, minimum: Double? = nil, maximum: Double? = nil,
        minLength: Int? = nil, maxLength: Int? = nil, minItems: Int? = nil, maxItems: Int? = nil, pattern: String? = nil,
        nullable: Bool? = nil, listType: String? = nil, listMapKeys: [String]? = nil, preserveUnknownFields: Bool? = nil
    ) {
        self.type = type
        self.format = format
        self.description = description
        self.properties = properties
        self.required = required
        self.boxedItems = items.map { [$0] } ?? []
        self.boxedAdditionalProperties = additionalProperties.map { [$0] } ?? []
        self.enumValues = enumValues
        self.defaultValue = defaultValue
        self.minimum = minimum
        self.maximum = maximum
        self.minLength = minLength
        self.maxLength = maxLength
        self.minItems = minItems
        self.maxItems = maxItems
        self.pattern = pattern
        self.nullable = nullable
        self.listType = listType
        self.listMapKeys = listMapKeys
        self.preserveUnknownFields = preserveUnknownFields
    }

    /// The node as JSON, with the field names Kubernetes uses; absent fields are left out.
    public var json: JSONValue {
        var o: [String: JSONValue] = [:]
        if let type { o["type"] = .string(type) }
        if let format { o["format"] = .string(format) }
        if let description { o["description"] = .string(description) }
        if let properties { o["properties"] = .object(properties.mapValues(\.json)) }
        if let required, !required.isEmpty { o["required"] = .array(required.sorted().map(JSONValue.string)) }
        if let items { o["items"] = items.json }
        if let additionalProperties { o["additionalProperties"] = additionalProperties.json }
        if let enumValues { o["enum"] = .array(enumValues) }
        if let defaultValue { o["default"] = defaultValue }
        if let minimum { o["minimum"] = Self.number(minimum) }
        if let maximum { o["maximum"] = Self.number(maximum) }
        if let minLength { o["minLength"] = .int(Int64(minLength)) }
        if let maxLength { o["maxLength"] = .int(Int64(maxLength)) }
        if let minItems { o["minItems"] = .int(Int64(minItems)) }
        if let maxItems { o["maxItems"] = .int(Int64(maxItems)) }
        if let pattern { o["pattern"] = .string(pattern) }
        if let nullable { o["nullable"] = .bool(nullable) }
        if let listType { o["x-kubernetes-list-type"] = .string(listType) }
        if let listMapKeys { o["x-kubernetes-list-map-keys"] = .array(listMapKeys.map(JSONValue.string)) }
        if let preserveUnknownFields { o["x-kubernetes-preserve-unknown-fields"] = .bool(preserveUnknownFields) }
        return .object(o)
    }

    /// Integral bounds render as JSON integers.
    private static func number(_ d: Double) -> JSONValue {
        d.rounded() == d && abs(d) < 1e15 ? .int(Int64(d)) : .double(d)
    }
}
