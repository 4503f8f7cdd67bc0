import FederationAPI
import Foundation
import Testing

@testable import ControlPlane

/// Numbers in custom resources, case by case, as kube-apiserver reads and validates them: the literal is
/// parsed from JSON text, validated against the schema, and (when accepted) normalised for storage.
struct NumberValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        /// The `spec` as JSON text, so the literal's exact form is what is tested.
        var spec: String
        /// The field errors expected; empty when the value is accepted.
        var errors: [FieldError] = []
        /// The stored `spec` as compact JSON text, for accepted values.
        var stored: String? = nil
        var testDescription: String { name }
    }

    static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "spec": [
                "type": "object",
                "properties": [
                    "count": ["type": "integer", "format": "int32"],
                    "total": ["type": "integer", "format": "int64"],
                    "plain": ["type": "integer"],
                    "ratio": ["type": "number"],
                    "single": ["type": "number", "format": "float"],
                    "port": ["x-kubernetes-int-or-string": true],
                    "list": ["type": "array", "items": ["type": "integer", "format": "int32"]],
                    "bounded": ["type": "integer", "minimum": 0, "maximum": 10],
                ],
            ]
        ],
    ]

    static func typeError(_ field: String, _ type: String, got: String) -> FieldError {
        FieldError(
            field: field, reason: .typeInvalid, message: "Invalid value: \"\(got)\": \(field) in body must be of type \(type): \"\(got)\"")
    }

    static func int32Error(_ field: String, _ value: String) -> FieldError {
        FieldError(
            field: field, reason: .invalid,
            message: "Invalid value: \(value): Checked value must be of type integer with format int32 in \(field)")
    }

    static let cases: [Case] = [
        Case(name: "int64 max is kept exactly", spec: #"{"total":9223372036854775807}"#, stored: #"{"total":9223372036854775807}"#),
        Case(name: "int64 min is kept exactly", spec: #"{"total":-9223372036854775808}"#, stored: #"{"total":-9223372036854775808}"#),
        Case(name: "2^63 is not an integer", spec: #"{"total":9223372036854775808}"#, errors: [typeError("spec.total", "integer", got: "number")]),
        Case(name: "-2^63-1 is not an integer", spec: #"{"plain":-9223372036854775809}"#, errors: [typeError("spec.plain", "integer", got: "number")]),
        Case(name: "2^64 in an int32 field", spec: #"{"count":18446744073709551616}"#, errors: [typeError("spec.count", "integer", got: "number")]),
        Case(name: "1e3 is the integer 1000", spec: #"{"plain":1e3}"#, stored: #"{"plain":1000}"#),
        Case(name: "1.0 is the integer 1", spec: #"{"count":1.0}"#, stored: #"{"count":1}"#),
        Case(name: "-2.5e2 is the integer -250", spec: #"{"total":-2.5e2}"#, stored: #"{"total":-250}"#),
        Case(name: "1.5 is not an integer", spec: #"{"count":1.5}"#, errors: [typeError("spec.count", "integer", got: "number")]),
        Case(name: "1e-3 is not an integer", spec: #"{"count":1e-3}"#, errors: [typeError("spec.count", "integer", got: "number")]),
        Case(name: "2^53-1 as a float is an integer", spec: #"{"total":9007199254740991.0}"#, stored: #"{"total":9007199254740991}"#),
        Case(name: "2^53 as a float is not an integer", spec: #"{"total":9007199254740992.0}"#, errors: [typeError("spec.total", "integer", got: "number")]),
        Case(name: "1e16 is not an integer", spec: #"{"total":1e16}"#, errors: [typeError("spec.total", "integer", got: "number")]),
        Case(name: "int32 max", spec: #"{"count":2147483647}"#, stored: #"{"count":2147483647}"#),
        Case(name: "int32 min", spec: #"{"count":-2147483648}"#, stored: #"{"count":-2147483648}"#),
        Case(name: "int32 max + 1", spec: #"{"count":2147483648}"#, errors: [int32Error("spec.count", "2147483648")]),
        Case(name: "int32 min - 1", spec: #"{"count":-2147483649}"#, errors: [int32Error("spec.count", "-2147483649")]),
        Case(name: "int32 bound through a float", spec: #"{"count":3e9}"#, errors: [int32Error("spec.count", "3000000000")]),
        Case(name: "int32 items", spec: #"{"list":[1,2147483648]}"#, errors: [int32Error("spec.list[1]", "2147483648")]),
        Case(name: "no format means int64", spec: #"{"plain":2147483648}"#, stored: #"{"plain":2147483648}"#),
        Case(name: "a number takes an integer", spec: #"{"ratio":3}"#, stored: #"{"ratio":3}"#),
        Case(name: "a number takes 2^63 as a float", spec: #"{"ratio":9223372036854775808}"#, stored: #"{"ratio":9223372036854776000}"#),
        Case(name: "a number keeps 1.5", spec: #"{"ratio":1.5}"#, stored: #"{"ratio":1.5}"#),
        Case(name: "a number keeps a whole float as written by Go", spec: #"{"ratio":1.0}"#, stored: #"{"ratio":1}"#),
        Case(name: "float format fits", spec: #"{"single":3.4e38}"#, stored: #"{"single":3.4e+38}"#),
        Case(
            name: "float format overflows", spec: #"{"single":3.5e38}"#,
            errors: [
                FieldError(
                    field: "spec.single", reason: .invalid,
                    message: "Invalid value: 3.5e+38: Checked value must be of type number with format float in spec.single")
            ]),
        Case(name: "int-or-string takes 1e3", spec: #"{"port":1e3}"#, stored: #"{"port":1000}"#),
        Case(name: "int-or-string takes a name", spec: #"{"port":"http"}"#, stored: #"{"port":"http"}"#),
        Case(
            name: "int-or-string refuses 1.5", spec: #"{"port":1.5}"#,
            errors: [typeError("spec.port", "integer,string", got: "number")]),
        Case(name: "a string is not an integer", spec: #"{"count":"7"}"#, errors: [typeError("spec.count", "integer", got: "string")]),
        Case(name: "a boolean is not an integer", spec: #"{"count":true}"#, errors: [typeError("spec.count", "integer", got: "boolean")]),
        Case(name: "bounds apply to floats read as integers", spec: #"{"bounded":1.1e1}"#, errors: [
            FieldError(field: "spec.bounded", reason: .invalid, message: "Invalid value: 11: spec.bounded in body should be less than or equal to 10")
        ]),
    ]

    @Test(arguments: cases)
    func numbers(_ c: Case) throws {
        let spec = try CompactJSON.decode(Data(c.spec.utf8))
        let object: JSONValue = ["apiVersion": "example.com/v1", "kind": "Gauge", "metadata": ["name": "g"], "spec": spec]
        let errors = SchemaValidation.validate(object, schema: Self.schema)
        #expect(errors == c.errors)
        if let stored = c.stored {
            let normalized = SchemaNumbers.normalize(object, schema: Self.schema)
            #expect(normalized["spec"]?.jsonString() == stored)
        }
    }

    @Test func unchangedFieldsOfAnUpdateAreNotCheckedAgain() throws {
        // An object stored before the rule applied (2^63 kept as a float) stays writable elsewhere.
        let old = try CompactJSON.decode(Data(#"{"kind":"Gauge","spec":{"total":9223372036854775808,"count":1}}"#.utf8))
        let statusOnly = try CompactJSON.decode(Data(#"{"kind":"Gauge","spec":{"total":9223372036854775808,"count":2}}"#.utf8))
        #expect(SchemaValidation.validate(statusOnly, schema: Self.schema, old: old) == [])
        let changed = try CompactJSON.decode(Data(#"{"kind":"Gauge","spec":{"total":10000000000000000000,"count":2}}"#.utf8))
        #expect(SchemaValidation.validate(changed, schema: Self.schema, old: old) == [Self.typeError("spec.total", "integer", got: "number")])
        #expect(SchemaValidation.validate(statusOnly, schema: Self.schema) == [Self.typeError("spec.total", "integer", got: "number")])
    }

    @Test func integerFieldsHoldIntegersAfterNormalising() throws {
        let object = try CompactJSON.decode(Data(#"{"spec":{"count":1e3,"total":2.0,"list":[4e0],"ratio":2.0,"port":8e1}}"#.utf8))
        let normalized = SchemaNumbers.normalize(object, schema: Self.schema)
        #expect(normalized.value(at: ["spec", "count"]) == .int(1000))
        #expect(normalized.value(at: ["spec", "total"]) == .int(2))
        #expect(normalized.value(at: ["spec", "list"]) == [.int(4)])
        #expect(normalized.value(at: ["spec", "port"]) == .int(80))
        // A number field keeps its float: only integer fields are rewritten.
        #expect(normalized.value(at: ["spec", "ratio"]) == .double(2))
    }
}
