import Foundation
import KubernetesAPI

/// Percent-encoding for query strings and path segments.
///
/// Everything outside RFC 3986's unreserved set is encoded. In particular `+` becomes `%2B`
/// (a raw `+` reads as a space on the server, which breaks label selectors), and `=`, `,`, `!`
/// and spaces are encoded as Go's `url.QueryEscape` does.
public enum QueryEncoding {
    private static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))
    private static let pathExtra: Set<UInt8> = Set(Array(":@!$&'()*+,;=".utf8))

    /// Encodes one query name or value.
    public static func encodeComponent(_ s: String) -> String {
        encode(s, allowed: unreserved)
    }

    /// Encodes one path segment (slashes inside are encoded; `:` and `@` stay, as in URLs).
    public static func encodePathSegment(_ s: String) -> String {
        encode(s, allowed: unreserved.union(pathExtra).subtracting([UInt8(ascii: "+")]))
    }

    /// Encodes parameters as `a=1&b=2`, in order.
    public static func encode(_ items: [QueryItem]) -> String {
        items.map { "\(encodeComponent($0.name))=\(encodeComponent($0.value))" }.joined(separator: "&")
    }

    private static func encode(_ s: String, allowed: Set<UInt8>) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for b in s.utf8 {
            if allowed.contains(b) {
                out.unicodeScalars.append(Unicode.Scalar(b))
            } else {
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(b >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hex[Int(b & 0xF)]))
            }
        }
        return out
    }
}
