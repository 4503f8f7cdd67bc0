import KubernetesAPI

/// One term of a field selector: `field=value`, `field==value` or `field!=value`.
public struct FieldRequirement: Sendable, Hashable, CustomStringConvertible {
    /// `=`/`==` or `!=`.
    public enum Operator: String, Sendable, Hashable {
        /// The field equals the value.
        case equals = "="
        /// The field differs from the value.
        case notEquals = "!="
    }

    /// The dotted field path, e.g. `metadata.name`.
    public var field: String
    /// The comparison.
    public var `operator`: Operator
    /// The value (unescaped).
    public var value: String

    /// Creates a requirement.
    public init(field: String, operator: Operator, value: String) {
        self.field = field
        self.operator = `operator`
        self.value = value
    }

    /// True when the object's field satisfies the requirement (a missing field is the empty string).
    public func matches(_ object: JSONValue) -> Bool {
        let actual = FieldSelectorExpression.fieldValue(field, in: object)
        return (actual == value) == (`operator` == .equals)
    }

    /// The term in selector syntax (the value escaped).
    public var description: String {
        var escaped = ""
        for character in value {
            if character == "\\" || character == "," || character == "=" || character == "!" { escaped.append("\\") }
            escaped.append(character)
        }
        return "\(field)\(`operator`.rawValue)\(escaped)"
    }
}

/// A field selector in its string form (`fieldSelector=`), parsed into terms that must all hold.
/// The empty string selects everything. Values may escape `\`, `,`, `=` and `!` with a backslash.
public struct FieldSelectorExpression: Sendable, Hashable, CustomStringConvertible {
    /// The terms, all of which must hold.
    public var requirements: [FieldRequirement]

    /// Creates an expression from terms.
    public init(requirements: [FieldRequirement]) { self.requirements = requirements }

    /// Parses a selector string. Throws ``SelectorError`` for a malformed term.
    public init(parsing text: String) throws {
        requirements = try Self.splitTerms(text).map(Self.parseTerm)
    }

    /// Parses a selector string and checks every field against `supportedFields`, throwing
    /// `field label not supported: <field>` as kube-apiserver does.
    public init(parsing text: String, supportedFields: Set<String>) throws {
        try self.init(parsing: text)
        try validate(supportedFields: supportedFields)
    }

    /// Throws for the first field not in `supportedFields`.
    public func validate(supportedFields: Set<String>) throws {
        for requirement in requirements where !supportedFields.contains(requirement.field) {
            throw SelectorError("field label not supported: \(requirement.field)")
        }
    }

    /// True when the selector has no terms (selects everything).
    public var isEmpty: Bool { requirements.isEmpty }

    /// True when the object satisfies every term.
    public func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { $0.matches(object) }
    }

    /// The value of `metadata.name`-style `field` in `object` as a string (empty when missing).
    public static func fieldValue(_ field: String, in object: JSONValue) -> String {
        let path = field.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        switch object.value(at: path) {
        case .string(let string)?: return string
        case .int(let int)?: return String(int)
        case .bool(let bool)?: return bool ? "true" : "false"
        case .double(let double)?: return String(double)
        default: return ""
        }
    }

    /// The selector in string form.
    public var description: String { requirements.map(\.description).joined(separator: ",") }

    /// Splits on commas that are not escaped, keeping escapes for the term parser.
    private static func splitTerms(_ text: String) throws -> [String] {
        if text.isEmpty { return [] }
        var terms: [String] = []
        var current = ""
        var escaping = false
        for character in text {
            if escaping {
                current.append(character)
                escaping = false
            } else if character == "\\" {
                current.append(character)
                escaping = true
            } else if character == "," {
                terms.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        terms.append(current)
        return terms
    }

    /// `field op value`, the operator being the first unescaped `!=`, `==` or `=`.
    private static func parseTerm(_ term: String) throws -> FieldRequirement {
        let characters = Array(term)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "\\" {
                index += 2
                continue
            }
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            var op: FieldRequirement.Operator?
            var width = 1
            if character == "!", next == "=" {
                op = .notEquals
                width = 2
            } else if character == "=" {
                op = .equals
                width = next == "=" ? 2 : 1
            }
            if let op {
                let field = String(characters[..<index]).trimmingWhitespace()
                guard !field.isEmpty else { throw invalid(term) }
                let value = try unescape(String(characters[(index + width)...]), term: term)
                return FieldRequirement(field: field, operator: op, value: value)
            }
            index += 1
        }
        throw invalid(term)
    }

    private static func unescape(_ raw: String, term: String) throws -> String {
        var value = ""
        var escaping = false
        for character in raw {
            if escaping {
                guard character == "\\" || character == "," || character == "=" || character == "!" else {
                    throw SelectorError("invalid field selector: '\(term)'; invalid escape sequence \\\(character)")
                }
                value.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                value.append(character)
            }
        }
        if escaping { throw SelectorError("invalid field selector: '\(term)'; unterminated escape sequence") }
        return value
    }

    private static func invalid(_ term: String) -> SelectorError {
        SelectorError("invalid selector: '\(term)'; can't understand '\(term)'")
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
