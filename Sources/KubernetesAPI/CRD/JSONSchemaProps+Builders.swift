import Foundation

extension JSONSchemaProps {
    /// A string field.
    public static func string(
        _ description: String, pattern: String? = nil, minLength: Int? = nil, maxLength: Int? = nil,
        format: String? = nil, default value: String? = nil
    ) -> JSONSchemaProps {
        JSONSchemaProps(
            type: "string", format: format, description: description, defaultValue: value.map(JSONValue.string),
            minLength: minLength, maxLength: maxLength, pattern: pattern
        )
    }

    /// A string field holding one of the raw values of a Swift enum.
    public static func enumeration<E: RawRepresentable & CaseIterable>(
        _ description: String, _ type: E.Type, default value: E? = nil
    ) -> JSONSchemaProps where E.RawValue == String {
        JSONSchemaProps(
            type: "string", description: description, enumValues: E.allCases.map { .string($0.rawValue) },
            defaultValue: value.map { .string($0.rawValue) }
        )
    }

    /// An RFC 3339 timestamp (`metav1.Time`).
    public static func time(_ description: String) -> JSONSchemaProps {
        JSONSchemaProps(type: "string", format: "date-time", description: description)
    }

    /// An integer field; `int32` unless told otherwise.
    public static func integer(
        _ description: String, format: String = "int32", minimum: Int? = nil, maximum: Int? = nil, default value: Int? = nil
    ) -> JSONSchemaProps {
        JSONSchemaProps(
            type: "integer", format: format, description: description, defaultValue: value.map { .int(Int64($0)) },
            minimum: minimum.map(Double.init), maximum: maximum.map(Double.init)
        )
    }

    /// An integer field bounded by a closed range.
    public static func integer(_ description: String, range: ClosedRange<Int>, default value: Int? = nil) -> JSONSchemaProps {
        integer(description, minimum: range.lowerBound, maximum: range.upperBound, default: value)
    }

    /// A floating-point field.
    public static func number(_ description: String, minimum: Double? = nil) -> JSONSchemaProps {
        JSONSchemaProps(type: "number", description: description, minimum: minimum)
    }

    /// A boolean field.
    public static func boolean(_ description: String, default value: Bool? = nil) -> JSONSchemaProps {
        JSONSchemaProps(type: "boolean", description: description, defaultValue: value.map(JSONValue.bool))
    }

    /// An object with known fields. `default: [:]` lets the API server fill the defaults of its
    /// fields when the whole object is omitted.
    public static func object(
        _ description: String, properties: [String: JSONSchemaProps], required: [String] = [], default value: JSONValue? = nil
    ) -> JSONSchemaProps {
        JSONSchemaProps(
            type: "object", description: description, properties: properties, required: required.isEmpty ? nil : required,
            defaultValue: value
        )
    }

    /// An object with free keys whose values follow `values` (a Go `map[string]T`).
    public static func map(_ description: String, values: JSONSchemaProps) -> JSONSchemaProps {
        JSONSchemaProps(type: "object", description: description, additionalProperties: values)
    }

    /// An array. `listType` `map` needs `listMapKeys`, each a required field of the items.
    public static func array(
        _ description: String, items: JSONSchemaProps, minItems: Int? = nil, maxItems: Int? = nil,
        listType: String? = nil, listMapKeys: [String]? = nil
    ) -> JSONSchemaProps {
        JSONSchemaProps(
            type: "array", description: description, items: items, minItems: minItems, maxItems: maxItems,
            listType: listType, listMapKeys: listMapKeys
        )
    }

    /// A list of objects keyed by one of their fields (`x-kubernetes-list-type: map`).
    public static func keyedList(_ description: String, key: String, items: JSONSchemaProps, maxItems: Int? = nil) -> JSONSchemaProps {
        array(description, items: items, maxItems: maxItems, listType: "map", listMapKeys: [key])
    }

    /// A list of strings.
    public static func strings(_ description: String, item: JSONSchemaProps? = nil, minItems: Int? = nil) -> JSONSchemaProps {
        array(description, items: item ?? .string(description), minItems: minItems)
    }
}
