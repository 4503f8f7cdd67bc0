import FederationAPI
import Testing

@testable import ControlPlane

/// `format: date-time` strings in custom resources, as kube-apiserver checks them.
struct DateTimeFormatTests {
    @Test(arguments: [
        ("2026-01-02T03:04:05Z", true), ("2026-01-02t03:04:05z", true), ("2026-01-02T03:04:05.123456Z", true),
        ("2026-01-02T03:04:05+02:00", true), ("2024-02-29T23:59:59-11:30", true),
        ("2026-01-02T03:04:05", false), ("2026-01-02", false), ("", false), ("2026-13-02T03:04:05Z", false),
        ("2025-02-29T03:04:05Z", false), ("2026-01-02T24:00:00Z", false), ("2026-01-02T03:60:00Z", false),
        ("2026-01-02T03:04:60Z", false), ("2026-01-02 03:04:05Z", false), ("2026-01-02T03:04:05x5Z", false),
        ("2026-01-02T03:04:05ZT", false), ("2026-01-02T03:04:05+0200", false), ("yesterday", false),
    ])
    func dateTimes(_ text: String, _ valid: Bool) {
        #expect(DateTimeFormat.isValid(text) == valid)
        // What the server accepts, Concord's timestamp decoder reads.
        if valid { #expect(KubeTime(rfc3339: text) != nil) }
    }

    @Test func invalidDateTimesAreTypeErrorsNamingTheField() {
        let schema: JSONValue = ["type": "object", "properties": ["at": ["type": "string", "format": "date-time"]]]
        let errors = SchemaValidation.validate(["apiVersion": "v1", "kind": "K", "at": "soon"], schema: schema)
        #expect(errors == [FieldError(field: "at", reason: .typeInvalid, message: #"Invalid value: "soon": at in body must be of type date-time: "soon""#)])
    }
}
