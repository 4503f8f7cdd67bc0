import KubernetesAPI
import Testing

@testable import ControlPlane

struct SchemaValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var spec: JSONValue
        var expected: [FieldError]
        var testDescription: String { name }
    }

    static let schema = Fixtures.widgetSchema

    static let cases: [Case] = [
        Case(name: "valid", spec: ["size": 3, "mode": "Pull"], expected: []),
        Case(name: "enum", spec: ["size": 3, "mode": "X"], expected: [.notSupported("spec.mode", value: "X", supported: ["Push", "Pull"])]),
        Case(name: "required", spec: ["mode": "Push"], expected: [FieldError(field: "spec.size", reason: .required, message: "Required value")]),
        Case(name: "minimum", spec: ["size": -1], expected: [FieldError(field: "spec.size", reason: .invalid, message: "Invalid value: -1: spec.size in body should be greater than or equal to 0")]),
        Case(name: "maximum", spec: ["size": 101], expected: [FieldError(field: "spec.size", reason: .invalid, message: "Invalid value: 101: spec.size in body should be less than or equal to 100")]),
        Case(
            name: "integer type", spec: ["size": "big"],
            expected: [FieldError(field: "spec.size", reason: .typeInvalid, message: "Invalid value: \"string\": spec.size in body must be of type integer: \"string\"")]),
        Case(
            name: "object type", spec: ["size": 1, "limits": "none"],
            expected: [FieldError(field: "spec.limits", reason: .typeInvalid, message: "Invalid value: \"string\": spec.limits in body must be of type object: \"string\"")]),
        Case(name: "maxLength", spec: ["size": 1, "color": "ultraviolet!"], expected: [FieldError(field: "spec.color", reason: .tooLong, message: "Too long: may not be more than 10 bytes")]),
        Case(name: "set duplicates", spec: ["size": 1, "tags": ["a", "a"]], expected: [FieldError(field: "spec.tags[1]", reason: .duplicate, message: "Duplicate value: \"a\"")]),
        Case(
            name: "array item type", spec: ["size": 1, "tags": ["a", 2]],
            expected: [FieldError(field: "spec.tags[1]", reason: .typeInvalid, message: "Invalid value: \"integer\": spec.tags[1] in body must be of type string: \"integer\"")]),
        Case(name: "preserved fields are not validated", spec: ["size": 1, "settings": ["anything": [1, 2]]], expected: []),
    ]

    @Test(arguments: cases)
    func validation(_ c: Case) {
        let object: JSONValue = ["apiVersion": "example.com/v1", "kind": "Widget", "metadata": ["name": "w"], "spec": c.spec]
        #expect(SchemaValidation.validate(object, schema: Self.schema) == c.expected)
    }

    @Test func statusIsValidatedToo() {
        let object: JSONValue = ["spec": ["size": 1], "status": ["phase": "Bogus"]]
        #expect(SchemaValidation.validate(object, schema: Self.schema).map(\.field) == ["status.phase"])
    }

    @Test func nullableAllowsNull() {
        let schema: JSONValue = ["type": "object", "properties": ["a": ["type": "string", "nullable": true], "b": ["type": "string"]]]
        let errors = SchemaValidation.validate(["a": nil, "b": nil], schema: schema)
        #expect(errors.map(\.field) == ["b"])
    }

    @Test func exclusiveBoundsAndMultipleOf() {
        let schema: JSONValue = [
            "type": "object",
            "properties": ["n": ["type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "exclusiveMaximum": true, "multipleOf": 2.5]],
        ]
        #expect(SchemaValidation.validate(["n": 0], schema: schema).map(\.message) == ["Invalid value: 0: n in body should be greater than 0"])
        #expect(SchemaValidation.validate(["n": 10], schema: schema).map(\.message) == ["Invalid value: 10: n in body should be less than 10"])
        #expect(SchemaValidation.validate(["n": 3], schema: schema).map(\.message) == ["Invalid value: 3: n in body should be a multiple of 2.5"])
        #expect(SchemaValidation.validate(["n": 5.0], schema: schema).isEmpty)
    }

    @Test func patternAndIntOrString() {
        let schema: JSONValue = [
            "type": "object",
            "properties": ["p": ["type": "string", "pattern": "^[a-z]+$"], "port": ["x-kubernetes-int-or-string": true]],
        ]
        #expect(SchemaValidation.validate(["p": "abc", "port": "http"], schema: schema).isEmpty)
        #expect(SchemaValidation.validate(["port": 80], schema: schema).isEmpty)
        #expect(SchemaValidation.validate(["p": "ABC"], schema: schema).map(\.message) == ["Invalid value: \"ABC\": p in body should match '^[a-z]+$'"])
        #expect(SchemaValidation.validate(["port": true], schema: schema).map(\.field) == ["port"])
    }
}

struct SchemaPruningTests {
    @Test func unknownFieldsAreDroppedAndReportedInOrder() {
        let object: JSONValue = ["apiVersion": "v", "kind": "K", "metadata": ["name": "x"], "spec": ["size": 1, "zzz": 1, "aaa": ["b": 1]], "extra": true]
        let (pruned, unknown) = SchemaPruning.prune(object, schema: Fixtures.widgetSchema)
        #expect(unknown == ["extra", "spec.aaa", "spec.zzz"])
        #expect(pruned == ["apiVersion": "v", "kind": "K", "metadata": ["name": "x"], "spec": ["size": 1]])
    }

    @Test func preserveUnknownFieldsKeepsEverythingBelow() {
        let object: JSONValue = ["spec": ["size": 1, "settings": ["deep": ["x": 1]]]]
        let (pruned, unknown) = SchemaPruning.prune(object, schema: Fixtures.widgetSchema)
        #expect(unknown.isEmpty)
        #expect(pruned == object)
    }

    @Test func arrayItemsArePrunedWithIndexedPaths() {
        let schema: JSONValue = ["type": "object", "properties": ["list": ["type": "array", "items": ["type": "object", "properties": ["a": ["type": "string"]]]]]]
        let (pruned, unknown) = SchemaPruning.prune(["list": [["a": "x", "b": 1]]], schema: schema)
        #expect(unknown == ["list[0].b"])
        #expect(pruned == ["list": [["a": "x"]]])
    }

    @Test func additionalPropertiesSchemasApplyToEveryValue() {
        let schema: JSONValue = ["type": "object", "properties": ["m": ["type": "object", "additionalProperties": ["type": "object", "properties": ["v": ["type": "integer"]]]]]]
        let (pruned, unknown) = SchemaPruning.prune(["m": ["k1": ["v": 1, "w": 2]]], schema: schema)
        #expect(unknown == ["m[k1].w"])
        #expect(pruned == ["m": ["k1": ["v": 1]]])
    }
}

struct SchemaDefaultingTests {
    @Test func defaultsFillAbsentFieldsRecursively() {
        let result = SchemaDefaulting.apply(["spec": ["size": 1]], schema: Fixtures.widgetSchema)
        #expect(result == ["spec": ["size": 1, "mode": "Push", "limits": ["cpu": 2]]])
    }

    @Test func presentValuesWin() {
        let result = SchemaDefaulting.apply(["spec": ["size": 1, "mode": "Pull", "limits": ["cpu": 8]]], schema: Fixtures.widgetSchema)
        #expect(result == ["spec": ["size": 1, "mode": "Pull", "limits": ["cpu": 8]]])
    }

    @Test func nullIsReplacedByTheDefaultUnlessNullable() {
        let schema: JSONValue = ["type": "object", "properties": ["a": ["type": "string", "default": "x"], "b": ["type": "string", "default": "y", "nullable": true]]]
        #expect(SchemaDefaulting.apply(["a": nil, "b": nil], schema: schema) == ["a": "x", "b": nil])
    }
}
