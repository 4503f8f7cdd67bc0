import KubernetesAPI

/// A label selector in its string form (`labelSelector=` on list and watch), parsed into requirements
/// that must all hold. The empty string selects everything.
///
/// Grammar: requirements separated by commas, each one of `key`, `!key`, `key=value`, `key==value`,
/// `key!=value`, `key in (v1,v2)`, `key notin (v1)`, `key>n`, `key<n`. Whitespace between tokens is ignored.
public struct LabelSelectorExpression: Sendable, Hashable, CustomStringConvertible {
    /// The requirements, all of which must hold.
    public var requirements: [LabelRequirement]

    /// Creates an expression from requirements.
    public init(requirements: [LabelRequirement]) { self.requirements = requirements }

    /// Parses a selector string; throws ``SelectorError`` with a message naming what was found and expected.
    public init(parsing text: String) throws {
        var parser = LabelSelectorParser(tokens: try LabelSelectorLexer.tokens(of: text))
        requirements = try parser.parseSelector()
        for requirement in requirements { try LabelSyntax.validate(requirement) }
    }

    /// The requirements of a structured `LabelSelector` (matchLabels and matchExpressions).
    public init(_ selector: LabelSelector) throws {
        var requirements: [LabelRequirement] = []
        for (key, value) in (selector.matchLabels ?? [:]).sorted(by: { $0.key < $1.key }) {
            requirements.append(LabelRequirement(key: key, operator: .equals, values: [value]))
        }
        for expression in selector.matchExpressions ?? [] {
            let op: LabelRequirement.Operator
            switch expression.operator {
            case .in: op = .in
            case .notIn: op = .notIn
            case .exists: op = .exists
            case .doesNotExist: op = .doesNotExist
            }
            requirements.append(LabelRequirement(key: expression.key, operator: op, values: expression.values ?? []))
        }
        for requirement in requirements { try LabelSyntax.validate(requirement) }
        self.requirements = requirements
    }

    /// True when the selector has no requirements (selects everything).
    public var isEmpty: Bool { requirements.isEmpty }

    /// True when `labels` satisfy every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    /// True when the object's `metadata.labels` satisfy every requirement.
    public func matches(object: JSONValue) -> Bool {
        if requirements.isEmpty { return true }
        var labels: [String: String] = [:]
        for (key, value) in object.value(at: ["metadata", "labels"])?.objectValue ?? [:] {
            if let string = value.stringValue { labels[key] = string }
        }
        return matches(labels)
    }

    /// The selector in string form.
    public var description: String { requirements.map(\.description).joined(separator: ",") }
}

/// Parses the token stream of a label selector.
struct LabelSelectorParser {
    private var tokens: [LabelSelectorLexer.Token]
    private var position = 0

    init(tokens: [LabelSelectorLexer.Token]) { self.tokens = tokens }

    private var current: LabelSelectorLexer.Token { position < tokens.count ? tokens[position] : .end }
    private mutating func advance() { position += 1 }

    mutating func parseSelector() throws -> [LabelRequirement] {
        var requirements: [LabelRequirement] = []
        if current == .end { return requirements }
        while true {
            requirements.append(try parseRequirement())
            switch current {
            case .end: return requirements
            case .comma: advance()
            default: throw Self.unexpected(current, expected: "','")
            }
        }
    }

    private mutating func parseRequirement() throws -> LabelRequirement {
        if current == .not {
            advance()
            guard case .identifier(let key) = current else { throw Self.unexpected(current, expected: "identifier after '!'") }
            advance()
            return LabelRequirement(key: key, operator: .doesNotExist)
        }
        guard case .identifier(let key) = current else { throw Self.unexpected(current, expected: "identifier") }
        advance()
        let op: LabelRequirement.Operator
        switch current {
        case .end, .comma: return LabelRequirement(key: key, operator: .exists)
        case .equals, .doubleEquals: op = .equals
        case .notEquals: op = .notEquals
        case .in: op = .in
        case .notIn: op = .notIn
        case .greaterThan: op = .greaterThan
        case .lessThan: op = .lessThan
        default: throw Self.unexpected(current, expected: "in, notin, =, ==, !=, >, <")
        }
        advance()
        if op == .in || op == .notIn {
            return LabelRequirement(key: key, operator: op, values: try parseValueList())
        }
        switch current {
        case .identifier(let value):
            advance()
            return LabelRequirement(key: key, operator: op, values: [value])
        case .end, .comma:
            return LabelRequirement(key: key, operator: op, values: [""])
        default:
            throw Self.unexpected(current, expected: "identifier")
        }
    }

    /// `( v1 , v2 )`; empty entries are empty values, as in `(a,)`.
    private mutating func parseValueList() throws -> [String] {
        guard current == .openParen else { throw Self.unexpected(current, expected: "'('") }
        advance()
        var values: [String] = []
        var expectingValue = true
        while true {
            switch current {
            case .identifier(let value) where expectingValue:
                values.append(value)
                expectingValue = false
                advance()
            case .comma:
                if expectingValue { values.append("") }
                expectingValue = true
                advance()
            case .closeParen:
                if expectingValue, !values.isEmpty { values.append("") }
                advance()
                if values.isEmpty { throw SelectorError("unable to parse requirement: for 'in', 'notin' operators, values set can't be empty") }
                var unique: [String] = []
                for value in values where !unique.contains(value) { unique.append(value) }
                return unique
            default:
                throw Self.unexpected(current, expected: expectingValue ? "',', ')' or identifier" : "',' or ')'")
            }
        }
    }

    private static func unexpected(_ token: LabelSelectorLexer.Token, expected: String) -> SelectorError {
        SelectorError("unable to parse requirement: found \(token.display), expected: \(expected)")
    }
}
