import Foundation

/// `intstr.IntOrString`: a JSON integer or string, such as a Service `targetPort` (`8080` or `"http"`).
public enum IntOrString: Codable, Hashable, Sendable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, CustomStringConvertible {
    /// A number.
    case int(Int)
    /// A name (or a percentage such as `"25%"`).
    case string(String)

    /// An integer literal.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A string literal.
    public init(stringLiteral value: String) { self = .string(value) }

    /// Decodes either form.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) {
            self = .int(i)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    /// Encodes as a JSON number or string.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let i): try c.encode(i)
        case .string(let s): try c.encode(s)
        }
    }

    /// The number, or nil for the string form.
    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The value as text.
    public var description: String {
        switch self {
        case .int(let i): return String(i)
        case .string(let s): return s
        }
    }
}
