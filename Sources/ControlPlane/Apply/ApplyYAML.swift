import FederationAPI

/// A reader for the YAML that apply configurations are written in: block mappings and sequences, plain,
/// quoted and block (`|`, `>`) scalars, comments, and JSON-style flow collections. Anchors, tags and
/// multi-document streams are not supported (clients such as kubectl send JSON).
struct ApplyYAML {
    /// A YAML document this reader cannot read.
    struct SyntaxError: Error, Sendable, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "yaml: line \(line): \(message)" }
    }

    private struct Line {
        var number: Int
        var indent: Int
        var text: String
        var raw: String
    }

    private var lines: [Line]
    private var position = 0

    /// The value of a one-document YAML text.
    static func parse(_ text: String) throws -> JSONValue {
        var reader = ApplyYAML(text)
        guard reader.current != nil else { return .null }
        let value = try reader.node(minIndent: 0)
        if let extra = reader.current { throw SyntaxError(line: extra.number, message: "unexpected content") }
        return value
    }

    private init(_ text: String) {
        var result: [Line] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let rawLine = String(raw.hasSuffix("\r") ? raw.dropLast() : raw)
            let indent = rawLine.prefix { $0 == " " }.count
            let text = String(rawLine.dropFirst(indent))
            if text == "---" && result.isEmpty { continue }
            result.append(Line(number: i + 1, indent: indent, text: text, raw: rawLine))
        }
        lines = result
    }

    private static func isContent(_ line: Line) -> Bool { !line.text.isEmpty && !line.text.hasPrefix("#") }

    /// The next line with content, skipping blank lines and comments.
    private var current: Line? {
        mutating get {
            while position < lines.count && !Self.isContent(lines[position]) { position += 1 }
            return position < lines.count ? lines[position] : nil
        }
    }

    private mutating func node(minIndent: Int) throws -> JSONValue {
        guard let line = current, line.indent >= minIndent else { return .null }
        if Self.isSequenceItem(line.text) { return try sequence(indent: line.indent) }
        if Self.splitKey(line.text) != nil { return try mapping(indent: line.indent) }
        position += 1
        return try Self.scalar(line.text, line: line.number)
    }

    private static func isSequenceItem(_ text: String) -> Bool { text == "-" || text.hasPrefix("- ") }

    private mutating func sequence(indent: Int) throws -> JSONValue {
        var items: [JSONValue] = []
        while let line = current, line.indent == indent, Self.isSequenceItem(line.text) {
            let rest = String(line.text.dropFirst()).drop { $0 == " " }
            let offset = line.text.count - rest.count
            if rest.isEmpty || rest.hasPrefix("#") {
                position += 1
                items.append(try node(minIndent: indent + 1))
            } else if Self.isSequenceItem(String(rest)) || Self.splitKey(String(rest)) != nil {
                lines[position] = Line(number: line.number, indent: indent + offset, text: String(rest), raw: line.raw)
                items.append(try node(minIndent: indent + offset))
            } else {
                position += 1
                items.append(try value(String(rest), parentIndent: indent, line: line.number))
            }
        }
        return .array(items)
    }

    private mutating func mapping(indent: Int) throws -> JSONValue {
        var members: [String: JSONValue] = [:]
        while let line = current, line.indent == indent, !Self.isSequenceItem(line.text) {
            guard let entry = Self.splitKey(line.text) else { throw SyntaxError(line: line.number, message: "could not find expected ':'") }
            let (key, rest) = entry
            position += 1
            if rest.isEmpty || rest.hasPrefix("#") {
                if let next = current, next.indent > indent {
                    members[key] = try node(minIndent: indent + 1)
                } else if let next = current, next.indent == indent, Self.isSequenceItem(next.text) {
                    members[key] = try sequence(indent: indent)
                } else {
                    members[key] = .null
                }
            } else {
                members[key] = try value(rest, parentIndent: indent, line: line.number)
            }
        }
        if let line = current, line.indent > indent { throw SyntaxError(line: line.number, message: "mapping values are not allowed in this context") }
        return .object(members)
    }

    /// An inline value, or the block scalar it introduces.
    private mutating func value(_ text: String, parentIndent: Int, line: Int) throws -> JSONValue {
        guard let style = text.first, style == "|" || style == ">" else { return try Self.scalar(text, line: line) }
        var body: [String] = []
        var blockIndent: Int?
        while position < lines.count {
            let l = lines[position]
            if l.text.isEmpty {
                body.append("")
            } else {
                if l.indent <= parentIndent { break }
                let indent = blockIndent ?? l.indent
                blockIndent = indent
                body.append(String(l.raw.dropFirst(min(indent, l.indent))))
            }
            position += 1
        }
        while body.last == "" { body.removeLast() }
        let joined = style == "|" ? body.joined(separator: "\n") : body.joined(separator: " ")
        if text.contains("-") { return .string(joined) }
        return .string(body.isEmpty ? "" : joined + "\n")
    }

    /// `key: rest` (the key unquoted), or nil when the text is not a mapping entry.
    private static func splitKey(_ text: String) -> (String, String)? {
        var chars = Array(text)
        var keyEnd: Int
        var key: String
        if let quote = chars.first, quote == "\"" || quote == "'" {
            guard let close = chars.dropFirst().firstIndex(of: quote) else { return nil }
            key = String(chars[1..<close])
            keyEnd = close + 1
            guard keyEnd < chars.count, chars[keyEnd] == ":" else { return nil }
        } else {
            guard !"[{".contains(chars.first ?? " ") else { return nil }
            var i = 0
            while i < chars.count {
                if chars[i] == ":" && (i + 1 == chars.count || chars[i + 1] == " ") { break }
                if chars[i] == "#" && i > 0 && chars[i - 1] == " " { return nil }
                i += 1
            }
            guard i < chars.count else { return nil }
            keyEnd = i
            key = String(chars[0..<i]).trimmingTrailingSpaces
        }
        chars = Array(chars[(keyEnd + 1)...])
        return (key, String(chars).trimmingLeadingSpaces)
    }

    /// A one-line scalar or flow collection.
    static func scalar(_ text: String, line: Int) throws -> JSONValue {
        let t = text.trimmingLeadingSpaces
        if t.hasPrefix("\"") || t.hasPrefix("[") || t.hasPrefix("{") {
            let end = t.hasPrefix("\"") ? closingQuote(t) : t.lastIndex(of: t.hasPrefix("[") ? "]" : "}")
            if let end, let v = try? CompactJSON.decode(Array(t[...end].utf8)) as JSONValue { return v }
            if t.hasPrefix("[") || t.hasPrefix("{") { return try flow(t, line: line) }
            throw SyntaxError(line: line, message: "found unexpected end of stream")
        }
        if t.hasPrefix("'") {
            var out = ""
            var chars = Array(t.dropFirst())[...]
            while let c = chars.popFirst() {
                if c == "'" {
                    if chars.first == "'" { out.append("'"); chars = chars.dropFirst(); continue }
                    return .string(out)
                }
                out.append(c)
            }
            throw SyntaxError(line: line, message: "found unexpected end of stream")
        }
        var plain = t
        if let hash = plain.range(of: " #") { plain = String(plain[..<hash.lowerBound]) }
        return plainScalar(plain.trimmingTrailingSpaces)
    }

    private static func closingQuote(_ t: String) -> String.Index? {
        var escaped = false
        for i in t.indices.dropFirst() {
            if escaped { escaped = false; continue }
            if t[i] == "\\" { escaped = true } else if t[i] == "\"" { return i }
        }
        return nil
    }

    /// A flow collection whose items are plain scalars: `[a, b]`, `{a: 1}`.
    private static func flow(_ t: String, line: Int) throws -> JSONValue {
        let inner = t.dropFirst().dropLast()
        let parts = inner.split(separator: ",").map { String($0).trimmingLeadingSpaces.trimmingTrailingSpaces }.filter { !$0.isEmpty }
        if t.hasPrefix("[") { return .array(try parts.map { try scalar($0, line: line) }) }
        var members: [String: JSONValue] = [:]
        for part in parts {
            guard let entry = splitKey(part) else { throw SyntaxError(line: line, message: "did not find expected ',' or '}'") }
            let (k, v) = entry
            members[k] = v.isEmpty ? .null : try scalar(v, line: line)
        }
        return .object(members)
    }

    /// Plain scalars resolve like YAML 1.2's core schema: null, booleans, integers, floats, else strings.
    static func plainScalar(_ s: String) -> JSONValue {
        switch s {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let i = Int64(s) { return .int(i) }
        if s.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) == true, s.contains(where: \.isNumber), let d = Double(s) {
            return .double(d)
        }
        return .string(s)
    }
}

extension String {
    fileprivate var trimmingLeadingSpaces: String { String(drop { $0 == " " || $0 == "\t" }) }
    fileprivate var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
