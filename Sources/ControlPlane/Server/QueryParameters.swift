/// Decoded query parameters, read the way Go's `url.ParseQuery` reads them (`+` is a space).
struct QueryParameters: Sendable {
    private var values: [String: String] = [:]

    init(_ query: String?) {
        guard let query, !query.isEmpty else { return }
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(kv[0])
            if values[key] == nil { values[key] = kv.count > 1 ? Self.decode(kv[1]) : "" }
        }
    }

    init(_ dictionary: [String: String]) { values = dictionary }

    subscript(_ key: String) -> String? { values[key] }

    /// `true`, `1` (and other Go `strconv.ParseBool` truths) count as true.
    func flag(_ key: String) -> Bool {
        guard let v = values[key] else { return false }
        return Self.isTrue(v)
    }

    /// Go's `strconv.ParseBool` truths: `1`, `t`, `T`, `true`, `TRUE`, `True`.
    static func isTrue(_ value: String) -> Bool {
        ["1", "t", "T", "true", "TRUE", "True"].contains(value)
    }

    static func decode(_ s: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count)
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if c == UInt8(ascii: "%"), it.count >= 2, let h = hex(it[it.startIndex]), let l = hex(it[it.startIndex + 1]) {
                bytes.append(h << 4 | l)
                it = it.dropFirst(2)
            } else {
                bytes.append(c)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 65...70: return c - 55
        case 97...102: return c - 87
        default: return nil
        }
    }
}
