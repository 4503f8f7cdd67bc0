import Foundation

/// A timestamp serialised as an RFC 3339 string with a fixed number of fractional digits.
public protocol RFC3339Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// Fractional digits written: 0 for `metav1.Time`, 6 for `metav1.MicroTime`.
    static var fractionDigits: Int { get }
    /// The instant.
    var date: Date { get }
    /// Wraps a date at this type's precision.
    init(_ date: Date)
}

extension RFC3339Timestamp {
    /// Parses an RFC 3339 timestamp (fractional seconds and offsets accepted).
    public init?(rfc3339 text: String) {
        guard let d = RFC3339.parse(text) else { return nil }
        self.init(d)
    }

    /// The RFC 3339 text.
    public var description: String { RFC3339.format(date, fractionDigits: Self.fractionDigits) }

    /// Decodes from an RFC 3339 string.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let d = RFC3339.parse(s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "invalid RFC 3339 time \(s)")
        }
        self.init(d)
    }

    /// Encodes as an RFC 3339 string.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// Orders by instant.
    public static func < (a: Self, b: Self) -> Bool { a.date < b.date }
}

/// A Kubernetes `metav1.Time`: RFC 3339 in UTC, to the second (`2026-11-21T05:31:06Z`).
public struct KubeTime: RFC3339Timestamp {
    /// Whole seconds.
    public static let fractionDigits = 0
    /// The instant, truncated to whole seconds.
    public var date: Date

    /// Wraps a date, dropping fractional seconds as the API server does.
    public init(_ date: Date) {
        self.date = Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }
}

/// A Kubernetes `metav1.MicroTime`: RFC 3339 with six fractional digits.
public struct MicroTime: RFC3339Timestamp {
    /// Microseconds.
    public static let fractionDigits = 6
    /// The instant, at microsecond precision.
    public var date: Date

    /// Wraps a date at microsecond precision (rounded to the nearest microsecond, because a
    /// binary fraction often sits a hair below the microsecond it was written as).
    public init(_ date: Date) {
        self.date = Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1_000_000).rounded() / 1_000_000)
    }
}

/// RFC 3339 formatting and parsing without shared formatter state.
public enum RFC3339 {
    /// Formats a date in UTC with the given number of fractional digits (0 or 6 in Kubernetes).
    public static func format(_ date: Date, fractionDigits: Int) -> String {
        let t = date.timeIntervalSince1970
        // Work in whole units of the last printed digit, rounded to the nearest, so a binary
        // fraction just below a microsecond prints as that microsecond (and may carry a second).
        let scale = Int64(pow(10, Double(max(0, fractionDigits))))
        let units = fractionDigits > 0 ? Int64((t * Double(scale)).rounded()) : Int64(t.rounded(.down))
        let seconds = units >= 0 ? units / scale : (units - scale + 1) / scale
        let fraction = units - seconds * scale
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secOfDay = seconds - days * 86_400
        // Civil-from-days (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let doe = days - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        if m <= 2 { y += 1 }
        var s = String(format: "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", y, m, d, secOfDay / 3600, (secOfDay % 3600) / 60, secOfDay % 60)
        if fractionDigits > 0 {
            s += "." + String(format: "%0\(fractionDigits)lld", fraction)
        }
        return s + "Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
    public static func parse(_ text: String) -> Date? {
        let u = Array(text.utf8)
        func num(_ from: Int, _ len: Int) -> Int64? {
            guard from + len <= u.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + len) {
                let c = u[i]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int64(c - 48)
            }
            return v
        }
        guard u.count >= 20, let y = num(0, 4), u[4] == 45, let mo = num(5, 2), u[7] == 45, let d = num(8, 2),
            u[10] == 84 || u[10] == 116, let h = num(11, 2), u[13] == 58, let mi = num(14, 2), u[16] == 58,
            let s = num(17, 2), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        var i = 19
        var frac = 0.0
        if i < u.count, u[i] == 46 {
            i += 1
            var scale = 0.1
            let start = i
            while i < u.count, u[i] >= 48, u[i] <= 57 {
                frac += Double(u[i] - 48) * scale
                scale /= 10
                i += 1
            }
            if i == start { return nil }
        }
        var offset: Int64 = 0
        guard i < u.count else { return nil }
        if u[i] == 90 || u[i] == 122 {
            i += 1
        } else if u[i] == 43 || u[i] == 45, let oh = num(i + 1, 2), u.count > i + 3, u[i + 3] == 58, let om = num(i + 4, 2) {
            offset = (oh * 3600 + om * 60) * (u[i] == 43 ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == u.count else { return nil }
        // Days-from-civil.
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let mp = mo > 2 ? mo - 3 : mo + 9
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let epoch = days * 86_400 + h * 3600 + mi * 60 + s - offset
        return Date(timeIntervalSince1970: Double(epoch) + frac)
    }
}
