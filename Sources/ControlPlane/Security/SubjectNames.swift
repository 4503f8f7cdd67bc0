import Foundation
import SwiftASN1
import X509

/// The names a serving certificate is valid for: DNS names and IP addresses, in a stable order.
public struct SubjectNames: Sendable, Hashable {
    /// DNS names, lowercased and sorted.
    public let dnsNames: [String]
    /// IP addresses in network byte order (4 or 16 bytes), IPv4 first, each family sorted.
    public let ipAddresses: [[UInt8]]

    /// Sorts `names` into DNS names and IP addresses; duplicates and the wildcard addresses
    /// `0.0.0.0` and `::` (which no client connects to by name) are dropped.
    public init(_ names: [String]) {
        var dns = Set<String>()
        var ips = Set<[UInt8]>()
        for raw in names {
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { continue }
            if let ip = Self.ipBytes(name) {
                if ip.allSatisfy({ $0 == 0 }) { continue }
                ips.insert(ip)
            } else {
                dns.insert(name.lowercased())
            }
        }
        self.dnsNames = dns.sorted()
        self.ipAddresses = ips.sorted { $0.count != $1.count ? $0.count < $1.count : $0.lexicographicallyPrecedes($1) }
    }

    /// The names every generated serving certificate carries (`localhost`, `127.0.0.1`, `::1`), the bind host
    /// and any extra names.
    public static func serving(host: String, additional: [String]) -> SubjectNames {
        SubjectNames(["localhost", "127.0.0.1", "::1", host] + additional)
    }

    /// The names a certificate carries in its subjectAltName extension.
    public init(of certificate: Certificate) throws {
        var names: [String] = []
        for name in try certificate.extensions.subjectAlternativeNames ?? SubjectAlternativeNames() {
            switch name {
            case .dnsName(let dns): names.append(dns)
            case .ipAddress(let octets): names.append(Self.text(Array(octets.bytes)))
            default: continue
            }
        }
        self.init(names)
    }

    var generalNames: [GeneralName] {
        dnsNames.map { GeneralName.dnsName($0) } + ipAddresses.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) }
    }

    /// The bytes of an IPv4 or IPv6 literal, or nil for anything else.
    static func ipBytes(_ text: String) -> [UInt8]? {
        let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// The textual form of 4 or 16 address bytes.
    static func text(_ bytes: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil }
        guard ok else { return bytes.map(String.init).joined(separator: ".") }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Every name as text, DNS names first.
    public var all: [String] { dnsNames + ipAddresses.map(Self.text) }
}
