import FederationAPI
import Testing

/// `metav1.LabelSelector` matching, as Datacenter and target selectors use it.
struct LabelSelectorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let selector: LabelSelector
        let labels: [String: String]?
        let matches: Bool
        var testDescription: String { name }
    }

    static let us = ["geo": "us", "tier": "gold"]

    static let cases: [Case] = [
        Case(name: "empty selector matches everything", selector: LabelSelector(), labels: us, matches: true),
        Case(name: "empty selector matches no labels", selector: LabelSelector(), labels: nil, matches: true),
        Case(name: "matchLabels equal", selector: LabelSelector(matchLabels: ["geo": "us"]), labels: us, matches: true),
        Case(name: "matchLabels different value", selector: LabelSelector(matchLabels: ["geo": "eu"]), labels: us, matches: false),
        Case(name: "matchLabels missing key", selector: LabelSelector(matchLabels: ["zone": "a"]), labels: us, matches: false),
        Case(name: "matchLabels all must hold", selector: LabelSelector(matchLabels: ["geo": "us", "tier": "silver"]), labels: us, matches: false),
        Case(name: "In with value", selector: expr("tier", .in, ["gold", "silver"]), labels: us, matches: true),
        Case(name: "In without value", selector: expr("tier", .in, ["bronze"]), labels: us, matches: false),
        Case(name: "In on missing key", selector: expr("zone", .in, ["a"]), labels: us, matches: false),
        Case(name: "NotIn with other value", selector: expr("tier", .notIn, ["bronze"]), labels: us, matches: true),
        Case(name: "NotIn with that value", selector: expr("tier", .notIn, ["gold"]), labels: us, matches: false),
        Case(name: "NotIn on missing key matches", selector: expr("zone", .notIn, ["a"]), labels: us, matches: true),
        Case(name: "Exists present", selector: expr("geo", .exists), labels: us, matches: true),
        Case(name: "Exists absent", selector: expr("zone", .exists), labels: us, matches: false),
        Case(name: "DoesNotExist absent", selector: expr("zone", .doesNotExist), labels: us, matches: true),
        Case(name: "DoesNotExist present", selector: expr("geo", .doesNotExist), labels: us, matches: false),
        Case(
            name: "labels and expressions together",
            selector: LabelSelector(matchLabels: ["geo": "us"], matchExpressions: [LabelSelectorRequirement(key: "tier", operator: .notIn, values: ["gold"])]),
            labels: us, matches: false
        ),
    ]

    static func expr(_ key: String, _ op: LabelSelectorRequirement.Operator, _ values: [String]? = nil) -> LabelSelector {
        LabelSelector(matchExpressions: [LabelSelectorRequirement(key: key, operator: op, values: values)])
    }

    @Test(arguments: cases)
    func matching(_ c: Case) {
        #expect(c.selector.matches(c.labels) == c.matches)
    }

    @Test func decodesTheWireForm() throws {
        let selector = try JSONValue.object([
            "matchLabels": ["geo": "us"], "matchExpressions": [["key": "tier", "operator": "In", "values": ["gold"]]],
        ]).decode(LabelSelector.self)
        #expect(selector == LabelSelector(matchLabels: ["geo": "us"], matchExpressions: [LabelSelectorRequirement(key: "tier", operator: .in, values: ["gold"])]))
    }
}
