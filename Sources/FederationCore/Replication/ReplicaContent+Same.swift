import FederationAPI
import Foundation

extension ReplicaContent {
    /// True when `a` and `b` have the same content, byte for byte (every top-level field but
    /// `apiVersion`, `kind`, `metadata` and `status`), so that ``hash(of:)`` is the same for both.
    /// Cheaper than hashing either (strings sharing their storage are not even read): a replica in sync
    /// is checked against its source this way, and the source is hashed once for every target.
    ///
    /// Strings and keys compare by their UTF-8 bytes, as the hash reads them (Swift's `==` would also
    /// take two canonically equivalent spellings as equal).
    public static func sameContent(_ a: JSONValue, _ b: JSONValue) -> Bool {
        guard case .object(let x) = a, case .object(let y) = b else { return false }
        var fields = 0
        for (key, value) in x where !isExcluded(field: key) {
            guard let index = y.index(forKey: key), sameBytes(y[index].key, key), same(y[index].value, value) else { return false }
            fields += 1
        }
        for key in y.keys where !isExcluded(field: key) {
            fields -= 1
            if fields < 0 { return false }
        }
        return fields == 0
    }

    /// True when `a` and `b` encode to the same JSON bytes (object keys in any order).
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return sameBytes(x, y)
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let index = y.index(forKey: key), sameBytes(y[index].key, key), same(y[index].value, value) else { return false }
            }
            return true
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.double(let x), .double(let y)):
            // By bits: 0.0 == -0.0, but they are written as "0" and "-0".
            return x.bitPattern == y.bitPattern
        case (.null, .null), (.bool, .bool), (.int, .int):
            return a == b
        default:
            return false
        }
    }

    /// True when `a` and `b` hold the same UTF-8 bytes (at once when they share their storage).
    static func sameBytes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                guard x.count > 0, let p = x.baseAddress, let q = y.baseAddress, p != q else { return true }
                return memcmp(p, q, x.count) == 0
            }
        }
    }
}
