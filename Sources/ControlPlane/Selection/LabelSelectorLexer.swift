/// Splits a label selector string into tokens. Whitespace separates tokens and is otherwise ignored.
enum LabelSelectorLexer {
    enum Token: Equatable {
        case identifier(String)
        case `in`, notIn
        case equals, doubleEquals, notEquals, not
        case greaterThan, lessThan
        case openParen, closeParen, comma
        case end

        var display: String {
            switch self {
            case .identifier(let text): return "'\(text)'"
            case .in: return "'in'"
            case .notIn: return "'notin'"
            case .equals: return "'='"
            case .doubleEquals: return "'=='"
            case .notEquals: return "'!='"
            case .not: return "'!'"
            case .greaterThan: return "'>'"
            case .lessThan: return "'<'"
            case .openParen: return "'('"
            case .closeParen: return "')'"
            case .comma: return "','"
            case .end: return "end of string"
            }
        }
    }

    private static let special: Set<Character> = ["=", "!", "(", ")", ",", "<", ">"]

    static func tokens(of text: String) throws -> [Token] {
        var tokens: [Token] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isWhitespace {
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            let following: Character? = next < text.endIndex ? text[next] : nil
            switch character {
            case "=":
                if following == "=" {
                    tokens.append(.doubleEquals)
                    index = text.index(after: next)
                } else {
                    tokens.append(.equals)
                    index = next
                }
            case "!":
                if following == "=" {
                    tokens.append(.notEquals)
                    index = text.index(after: next)
                } else {
                    tokens.append(.not)
                    index = next
                }
            case "(": tokens.append(.openParen); index = next
            case ")": tokens.append(.closeParen); index = next
            case ",": tokens.append(.comma); index = next
            case "<": tokens.append(.lessThan); index = next
            case ">": tokens.append(.greaterThan); index = next
            default:
                var end = index
                while end < text.endIndex, !text[end].isWhitespace, !special.contains(text[end]) {
                    end = text.index(after: end)
                }
                let word = String(text[index..<end])
                switch word {
                case "in": tokens.append(.in)
                case "notin": tokens.append(.notIn)
                default: tokens.append(.identifier(word))
                }
                index = end
            }
        }
        return tokens
    }
}

/// Kubernetes label key and value syntax.
enum LabelSyntax {
    /// Checks a requirement's key and values.
    static func validate(_ requirement: LabelRequirement) throws {
        try validateKey(requirement.key)
        switch requirement.operator {
        case .greaterThan, .lessThan:
            guard requirement.values.count == 1, let value = requirement.values.first, Int64(value) != nil else {
                throw SelectorError(
                    "unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer, not \"\(requirement.values.first ?? "")\"")
            }
        case .in, .notIn:
            if requirement.values.isEmpty {
                throw SelectorError("unable to parse requirement: for 'in', 'notin' operators, values set can't be empty")
            }
            for value in requirement.values { try validateValue(value, key: requirement.key) }
        case .equals, .notEquals:
            for value in requirement.values { try validateValue(value, key: requirement.key) }
        case .exists, .doesNotExist:
            if !requirement.values.isEmpty {
                throw SelectorError("unable to parse requirement: values set must be empty for exists and does not exist")
            }
        }
    }

    /// `[prefix/]name`: the prefix a DNS subdomain (≤ 253), the name ≤ 63 alphanumerics, `-`, `_`, `.`,
    /// beginning and ending alphanumeric.
    static func validateKey(_ key: String) throws {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        let invalid = SelectorError(
            "unable to parse requirement: invalid label key \"\(key)\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character, with an optional DNS subdomain prefix and '/'")
        switch parts.count {
        case 1:
            guard isQualifiedNamePart(parts[0]) else { throw invalid }
        case 2:
            guard isDNSSubdomain(parts[0]), isQualifiedNamePart(parts[1]) else { throw invalid }
        default:
            throw invalid
        }
    }

    /// Empty, or ≤ 63 alphanumerics, `-`, `_`, `.`, beginning and ending alphanumeric.
    static func validateValue(_ value: String, key: String) throws {
        guard value.isEmpty || isQualifiedNamePart(Substring(value)) else {
            throw SelectorError(
                "unable to parse requirement: invalid label value \"\(value)\" for key \"\(key)\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character")
        }
    }

    private static func isAlphanumeric(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber)
    }

    private static func isQualifiedNamePart(_ part: Substring) -> Bool {
        guard let first = part.first, let last = part.last, part.count <= 63 else { return false }
        return isAlphanumeric(first) && isAlphanumeric(last)
            && part.allSatisfy { isAlphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    private static func isDNSSubdomain(_ part: Substring) -> Bool {
        guard !part.isEmpty, part.count <= 253 else { return false }
        return part.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last, label.count <= 63 else { return false }
            return first.isASCII && (first.isLowercase || first.isNumber) && last.isASCII && (last.isLowercase || last.isNumber)
                && label.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
        }
    }
}
