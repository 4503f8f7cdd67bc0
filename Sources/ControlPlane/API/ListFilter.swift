import FederationAPI

/// A list or watch's `labelSelector` and `fieldSelector`. (Interim parser: replaced by the Selection module once merged.)
struct ListFilter: Sendable {
    private enum Op: Sendable { case eq, neq, inSet, notIn, exists, notExists }
    private struct Requirement: Sendable {
        var key: String
        var op: Op
        var values: [String]
        func matches(_ get: (String) -> String?) -> Bool {
            let v = get(key)
            switch op {
            case .eq: return v == values[0]
            case .neq: return v != values[0]
            case .inSet: return v.map { values.contains($0) } ?? false
            case .notIn: return v.map { !values.contains($0) } ?? true
            case .exists: return v != nil
            case .notExists: return v == nil
            }
        }
    }
    private var labels: [Requirement] = []
    private var fields: [Requirement] = []

    /// True when no selector was given.
    var isEmpty: Bool { labels.isEmpty && fields.isEmpty }

    init(labelSelector: String?, fieldSelector: String?) throws {
        labels = try Self.parse(labelSelector ?? "", allowSets: true)
        fields = try Self.parse(fieldSelector ?? "", allowSets: false)
        for f in fields where !["metadata.name", "metadata.namespace"].contains(f.key) {
            throw APIError.badRequest("\"\(f.key)\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")
        }
    }

    func matches(_ object: JSONValue) -> Bool {
        let objectLabels = object.value(at: ["metadata", "labels"])?.objectValue ?? [:]
        for r in labels where !r.matches({ objectLabels[$0]?.stringValue }) { return false }
        for r in fields where !r.matches({ key in
            let v = object.value(at: key.split(separator: ".").map(String.init))?.stringValue
            return v ?? (key == "metadata.namespace" ? "" : nil)
        }) { return false }
        return true
    }

    private static func parse(_ text: String, allowSets: Bool) throws -> [Requirement] {
        var out: [Requirement] = []
        var parts: [String] = []
        var depth = 0, current = ""
        for c in text {
            if c == "(" { depth += 1 } else if c == ")" { depth -= 1 }
            if c == ",", depth == 0 { parts.append(current); current = "" } else { current.append(c) }
        }
        if !current.isEmpty { parts.append(current) }
        for raw in parts {
            let p = raw.trimmingCharacters(in: .whitespaces)
            if p.isEmpty { continue }
            if let r = p.range(of: "!=") {
                out.append(Requirement(key: trim(p[..<r.lowerBound]), op: .neq, values: [trim(p[r.upperBound...])]))
            } else if let r = p.range(of: "==") ?? p.range(of: "=") {
                out.append(Requirement(key: trim(p[..<r.lowerBound]), op: .eq, values: [trim(p[r.upperBound...])]))
            } else if allowSets, let r = p.range(of: " notin ") ?? p.range(of: " in ") {
                let key = trim(p[..<r.lowerBound])
                let set = trim(p[r.upperBound...])
                guard set.hasPrefix("("), set.hasSuffix(")") else { throw APIError.badRequest("unable to parse requirement: found '\(set)', expected: '('") }
                let values = set.dropFirst().dropLast().split(separator: ",").map { trim($0) }
                out.append(Requirement(key: key, op: p[r].contains("notin") ? .notIn : .inSet, values: values))
            } else if allowSets, p.hasPrefix("!") {
                out.append(Requirement(key: trim(p.dropFirst()), op: .notExists, values: []))
            } else if allowSets {
                out.append(Requirement(key: p, op: .exists, values: []))
            } else {
                throw APIError.badRequest("invalid selector: '\(text)'; can't understand '\(p)'")
            }
        }
        return out
    }

    private static func trim(_ s: some StringProtocol) -> String { s.trimmingCharacters(in: .whitespaces) }
}
