import KubernetesAPI

/// The simple JSONPath subset printer columns use: `.a.b`, `.a[0]`, `.a[*].b`,
/// `.a[?(@.type=="Ready")].status`, and `{…}` wrappers.
struct JSONPathExpression: Sendable {
    private enum Step: Sendable {
        case field(String)
        case index(Int)
        case all
        case filter(path: [String], value: String, equal: Bool)
    }
    private var steps: [Step] = []

    init(_ text: String) {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        if s.hasPrefix("{") && s.hasSuffix("}") { s = s.dropFirst().dropLast() }
        if s.hasPrefix("$") { s = s.dropFirst() }
        while !s.isEmpty {
            if s.hasPrefix(".") {
                s = s.dropFirst()
                let end = s.firstIndex(where: { $0 == "." || $0 == "[" }) ?? s.endIndex
                if end > s.startIndex { steps.append(.field(String(s[..<end]))) }
                s = s[end...]
            } else if s.hasPrefix("[") {
                guard let close = Self.closingBracket(s) else { return }
                let inner = s[s.index(after: s.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                s = s[s.index(after: close)...]
                if inner == "*" {
                    steps.append(.all)
                } else if let i = Int(inner) {
                    steps.append(.index(i))
                } else if inner.hasPrefix("?(") && inner.hasSuffix(")") {
                    let cond = inner.dropFirst(2).dropLast().trimmingCharacters(in: .whitespaces)
                    let equal = !cond.contains("!=")
                    let parts = cond.components(separatedBy: equal ? "==" : "!=")
                    guard parts.count == 2 else { return }
                    let lhs = parts[0].trimmingCharacters(in: .whitespaces)
                    var rhs = parts[1].trimmingCharacters(in: .whitespaces)
                    if rhs.count >= 2, rhs.first == "\"" || rhs.first == "'" { rhs = String(rhs.dropFirst().dropLast()) }
                    let path = lhs.hasPrefix("@.") ? lhs.dropFirst(2).split(separator: ".").map(String.init) : []
                    steps.append(.filter(path: path, value: rhs, equal: equal))
                } else {
                    var name = inner
                    if name.count >= 2, name.first == "'" || name.first == "\"" { name = String(name.dropFirst().dropLast()) }
                    steps.append(.field(name))
                }
            } else {
                let end = s.firstIndex(where: { $0 == "." || $0 == "[" }) ?? s.endIndex
                steps.append(.field(String(s[..<end])))
                s = s[end...]
            }
        }
    }

    private static func closingBracket(_ s: Substring) -> Substring.Index? {
        var depth = 0
        var quote: Character?
        for i in s.indices {
            let c = s[i]
            if let q = quote { if c == q { quote = nil }; continue }
            if c == "\"" || c == "'" { quote = c } else if c == "[" { depth += 1 } else if c == "]" {
                depth -= 1
                if depth == 0 { return i }
            }
        }
        return nil
    }

    /// Every value the path selects.
    func evaluate(_ root: JSONValue) -> [JSONValue] {
        var current = [root]
        for step in steps {
            var next: [JSONValue] = []
            for v in current {
                switch step {
                case .field(let name): if let x = v[name] { next.append(x) }
                case .index(let i):
                    if let a = v.arrayValue {
                        let idx = i < 0 ? a.count + i : i
                        if a.indices.contains(idx) { next.append(a[idx]) }
                    }
                case .all:
                    if let a = v.arrayValue { next += a } else if let o = v.objectValue { next += o.keys.sorted().map { o[$0]! } }
                case .filter(let path, let value, let equal):
                    for item in v.arrayValue ?? [] {
                        let x = item.value(at: path)
                        let text = x.map(Self.scalarText) ?? nil
                        if (text == value) == equal, x != nil || !equal { next.append(item) }
                    }
                }
            }
            current = next
        }
        return current
    }

    static func scalarText(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }
}
