import Foundation

/// `metav1.LabelSelector`: equality and set-based label matching. An empty selector matches everything.
public struct LabelSelector: Codable, Hashable, Sendable {
    /// Labels that must be present with these values.
    public var matchLabels: [String: String]?
    /// Set-based requirements, all of which must hold.
    public var matchExpressions: [LabelSelectorRequirement]?

    /// Creates a selector.
    public init(matchLabels: [String: String]? = nil, matchExpressions: [LabelSelectorRequirement]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }

    /// One thing kube-apiserver refuses in a selector: the field and what is wrong with it.
    public struct Problem: Hashable, Sendable, CustomStringConvertible {
        /// The field, such as `spec.selector.matchExpressions[0].values`.
        public var field: String
        /// What is wrong, as kube-apiserver words it (`Required value: …`).
        public var detail: String
        /// `field: detail`.
        public var description: String { "\(field): \(detail)" }
    }

    /// What kube-apiserver refuses in a selector at `path` (such as `spec.selector`): an empty key,
    /// `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values.
    public func problems(at path: String) -> [Problem] {
        var problems: [Problem] = []
        for (i, r) in (matchExpressions ?? []).enumerated() {
            let at = "\(path).matchExpressions[\(i)]"
            if r.key.isEmpty { problems.append(Problem(field: "\(at).key", detail: "Required value")) }
            let hasValues = !(r.values ?? []).isEmpty
            switch r.operator {
            case .in, .notIn:
                if !hasValues { problems.append(Problem(field: "\(at).values", detail: "Required value: must be specified when `operator` is 'In' or 'NotIn'")) }
            case .exists, .doesNotExist:
                if hasValues { problems.append(Problem(field: "\(at).values", detail: "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'")) }
            }
        }
        for key in (matchLabels ?? [:]).keys.sorted() where key.isEmpty {
            problems.append(Problem(field: "\(path).matchLabels", detail: "Invalid value: \"\": a label key must not be empty"))
        }
        return problems
    }

    /// The one-line message a controller puts on an object whose selectors have `problems`:
    /// `Invalid label selector: field: detail; ….`
    public static func invalidMessage(_ problems: [Problem]) -> String {
        "Invalid label selector: \(problems.map(\.description).joined(separator: "; "))."
    }

    /// True when the labels satisfy every requirement.
    public func matches(_ labels: [String: String]?) -> Bool {
        let labels = labels ?? [:]
        for (k, v) in matchLabels ?? [:] where labels[k] != v { return false }
        for r in matchExpressions ?? [] where !r.matches(labels) { return false }
        return true
    }
}

/// One set-based requirement of a `LabelSelector`.
public struct LabelSelectorRequirement: Codable, Hashable, Sendable {
    /// The label key.
    public var key: String
    /// In, NotIn, Exists or DoesNotExist.
    public var `operator`: Operator
    /// The values for In and NotIn.
    public var values: [String]?

    /// The requirement operators.
    public enum Operator: String, Codable, Hashable, Sendable, CaseIterable {
        /// The label's value is one of `values`.
        case `in` = "In"
        /// The label is absent or its value is none of `values`.
        case notIn = "NotIn"
        /// The label is present.
        case exists = "Exists"
        /// The label is absent.
        case doesNotExist = "DoesNotExist"
    }

    /// Creates a requirement.
    public init(key: String, operator: Operator, values: [String]? = nil) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    /// True when the labels satisfy this requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        switch `operator` {
        case .in: return labels[key].map { (values ?? []).contains($0) } ?? false
        case .notIn: return labels[key].map { !(values ?? []).contains($0) } ?? true
        case .exists: return labels[key] != nil
        case .doesNotExist: return labels[key] == nil
        }
    }
}
