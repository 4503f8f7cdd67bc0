/// A selector string that could not be parsed or names something unsupported (HTTP 400).
public struct SelectorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong, for the user.
    public var message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// One requirement of a label selector, e.g. `tier in (web,api)`.
public struct LabelRequirement: Sendable, Hashable, CustomStringConvertible {
    /// How the label is compared.
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        /// `key=value` or `key==value`.
        case equals = "="
        /// `key!=value`: the label is absent or has another value.
        case notEquals = "!="
        /// `key in (a,b)`.
        case `in` = "in"
        /// `key notin (a,b)`: the label is absent or none of the values.
        case notIn = "notin"
        /// `key`: the label is present.
        case exists = ""
        /// `!key`: the label is absent.
        case doesNotExist = "!"
        /// `key>3`: the label is an integer greater than the value.
        case greaterThan = ">"
        /// `key<3`: the label is an integer less than the value.
        case lessThan = "<"
    }

    /// The label key.
    public var key: String
    /// The comparison.
    public var `operator`: Operator
    /// The values (one for `=`, `!=`, `>` and `<`; at least one for `in`/`notin`; none otherwise).
    public var values: [String]

    /// Creates a requirement.
    public init(key: String, operator: Operator, values: [String] = []) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    /// True when `labels` satisfy the requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch `operator` {
        case .equals, .in:
            return value.map(values.contains) ?? false
        case .notEquals, .notIn:
            return value.map { !values.contains($0) } ?? true
        case .exists:
            return value != nil
        case .doesNotExist:
            return value == nil
        case .greaterThan, .lessThan:
            guard let label = value.flatMap({ Int64($0) }), let bound = values.first.flatMap({ Int64($0) }) else {
                return false
            }
            return `operator` == .greaterThan ? label > bound : label < bound
        }
    }

    /// The requirement in selector syntax.
    public var description: String {
        switch `operator` {
        case .equals, .notEquals, .greaterThan, .lessThan: return "\(key)\(`operator`.rawValue)\(values.first ?? "")"
        case .in, .notIn: return "\(key) \(`operator`.rawValue) (\(values.joined(separator: ",")))"
        case .exists: return key
        case .doesNotExist: return "!\(key)"
        }
    }
}
