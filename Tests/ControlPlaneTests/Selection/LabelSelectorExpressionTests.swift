import ControlPlane
import KubernetesAPI
import Testing

@Suite("Label selector strings")
struct LabelSelectorExpressionTests {
    struct Parsed: CustomTestStringConvertible, Sendable {
        var text: String
        var requirements: [LabelRequirement]
        var testDescription: String { "\"\(text)\"" }
    }

    static let parsed: [Parsed] = [
        Parsed(text: "", requirements: []),
        Parsed(text: "app=web", requirements: [LabelRequirement(key: "app", operator: .equals, values: ["web"])]),
        Parsed(text: "app==web", requirements: [LabelRequirement(key: "app", operator: .equals, values: ["web"])]),
        Parsed(text: "app!=web", requirements: [LabelRequirement(key: "app", operator: .notEquals, values: ["web"])]),
        Parsed(text: "app=", requirements: [LabelRequirement(key: "app", operator: .equals, values: [""])]),
        Parsed(text: "tier in (web, api)", requirements: [LabelRequirement(key: "tier", operator: .in, values: ["web", "api"])]),
        Parsed(text: "tier notin (db)", requirements: [LabelRequirement(key: "tier", operator: .notIn, values: ["db"])]),
        Parsed(text: "tier in(a,)", requirements: [LabelRequirement(key: "tier", operator: .in, values: ["a", ""])]),
        Parsed(text: "app", requirements: [LabelRequirement(key: "app", operator: .exists)]),
        Parsed(text: "!app", requirements: [LabelRequirement(key: "app", operator: .doesNotExist)]),
        Parsed(text: "replicas>3", requirements: [LabelRequirement(key: "replicas", operator: .greaterThan, values: ["3"])]),
        Parsed(text: "example.com/role = db , !legacy,  env in (prod,staging)", requirements: [
            LabelRequirement(key: "example.com/role", operator: .equals, values: ["db"]),
            LabelRequirement(key: "legacy", operator: .doesNotExist),
            LabelRequirement(key: "env", operator: .in, values: ["prod", "staging"]),
        ]),
    ]

    @Test(arguments: parsed)
    func parses(_ testCase: Parsed) throws {
        #expect(try LabelSelectorExpression(parsing: testCase.text).requirements == testCase.requirements)
    }

    struct Match: CustomTestStringConvertible, Sendable {
        var selector: String
        var labels: [String: String]
        var matches: Bool
        var testDescription: String { "\"\(selector)\" on \(labels.sorted { $0.key < $1.key })" }
    }

    static let matchCases: [Match] = [
        Match(selector: "", labels: [:], matches: true),
        Match(selector: "app=web", labels: ["app": "web"], matches: true),
        Match(selector: "app=web", labels: ["app": "db"], matches: false),
        Match(selector: "app=web", labels: [:], matches: false),
        Match(selector: "app!=web", labels: [:], matches: true),
        Match(selector: "app!=web", labels: ["app": "web"], matches: false),
        Match(selector: "tier in (a,b)", labels: ["tier": "b"], matches: true),
        Match(selector: "tier in (a,b)", labels: [:], matches: false),
        Match(selector: "tier notin (a,b)", labels: [:], matches: true),
        Match(selector: "tier notin (a,b)", labels: ["tier": "a"], matches: false),
        Match(selector: "app", labels: ["app": ""], matches: true),
        Match(selector: "!app", labels: ["app": ""], matches: false),
        Match(selector: "!app", labels: ["other": "x"], matches: true),
        Match(selector: "n>3", labels: ["n": "4"], matches: true),
        Match(selector: "n<3", labels: ["n": "4"], matches: false),
        Match(selector: "n>3", labels: ["n": "four"], matches: false),
        Match(selector: "app=web,tier in (a)", labels: ["app": "web", "tier": "a"], matches: true),
        Match(selector: "app=web,tier in (a)", labels: ["app": "web", "tier": "b"], matches: false),
    ]

    @Test(arguments: matchCases)
    func evaluates(_ testCase: Match) throws {
        #expect(try LabelSelectorExpression(parsing: testCase.selector).matches(testCase.labels) == testCase.matches)
    }

    static let errors: [(String, String)] = [
        ("app=web,", "unable to parse requirement: found end of string, expected: identifier"),
        ("=web", "unable to parse requirement: found '=', expected: identifier"),
        ("app in web", "unable to parse requirement: found 'web', expected: '('"),
        ("app in ()", "unable to parse requirement: for 'in', 'notin' operators, values set can't be empty"),
        ("app in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        ("app in (a", "unable to parse requirement: found end of string, expected: ',' or ')'"),
        ("app web", "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, >, <"),
        ("a=b c", "unable to parse requirement: found 'c', expected: ','"),
        ("!", "unable to parse requirement: found end of string, expected: identifier after '!'"),
        ("n>x", "unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer, not \"x\""),
        ("-bad=x", "unable to parse requirement: invalid label key \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'"),
        ("a/b/c", "unable to parse requirement: invalid label key \"a/b/c\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'"),
        ("app=we b", "unable to parse requirement: found 'b', expected: ','"),
        ("app=-x", "unable to parse requirement: invalid label value \"-x\" for key \"app\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"),
    ]

    @Test(arguments: errors)
    func rejectsWithAClearMessage(text: String, message: String) {
        #expect(throws: SelectorError(message)) { try LabelSelectorExpression(parsing: text) }
    }

    @Test func matchesAnObjectsMetadataLabels() throws {
        let selector = try LabelSelectorExpression(parsing: "app=web")
        #expect(selector.matches(object: ["metadata": ["labels": ["app": "web"]]]))
        #expect(!selector.matches(object: ["metadata": ["name": "x"]]))
        #expect(try LabelSelectorExpression(parsing: "").matches(object: [:]))
    }

    @Test func convertsAStructuredSelector() throws {
        let structured = LabelSelector(
            matchLabels: ["app": "web"],
            matchExpressions: [LabelSelectorRequirement(key: "tier", operator: .notIn, values: ["db"])])
        let expression = try LabelSelectorExpression(structured)
        #expect(expression.description == "app=web,tier notin (db)")
        #expect(expression.matches(["app": "web", "tier": "api"]))
        #expect(!expression.matches(["app": "web", "tier": "db"]))
    }

    @Test func printsInSelectorSyntax() throws {
        let text = "a=b,c!=d,e in (f,g),h notin (i),j,!k,l>1"
        #expect(try LabelSelectorExpression(parsing: text).description == text)
    }
}
