import Foundation

/// The text of a floating-point JSON number, written the way Kubernetes' Go servers write a float64:
/// the shortest digits that read back to the same value, in plain decimal notation from 1e-6 up to
/// 1e21 (so `1000.0` is `1000` and 2^63 is `9223372036854775808`'s nearest short form
/// `9223372036854776000`), in exponent notation outside that range (`1e+21`, `1.5e-7`).
public enum JSONNumberText {
    /// The JSON text of `value`; `null` for infinities and NaN, which JSON cannot hold.
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        guard value != 0 else { return value.sign == .minus ? "-0" : "0" }
        let (digits, point) = shortestDigits(abs(value))
        let sign = value < 0 ? "-" : ""
        let magnitude = abs(value)
        if magnitude >= 1e-6 && magnitude < 1e21 {
            if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
            if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
            return sign + digits.prefix(point) + "." + digits.dropFirst(point)
        }
        let mantissa = digits.count == 1 ? digits : digits.prefix(1) + "." + digits.dropFirst()
        let exponent = point - 1
        let exponentText = exponent < 0 ? "-\(-exponent)" : (exponent < 10 ? "+0\(exponent)" : "+\(exponent)")
        return sign + mantissa + "e" + exponentText
    }

    /// The shortest round-tripping digits of a positive finite value (no leading or trailing zeros) and
    /// the position of the decimal point: the value is `0.digits × 10^point`.
    static func shortestDigits(_ value: Double) -> (digits: String, point: Int) {
        var text = "\(value)"
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = String(text[..<e])
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = parts[0]
        var digits = String(integerPart) + (parts.count > 1 ? String(parts[1]) : "")
        var point = integerPart.count + exponent
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        return (digits, point)
    }

    /// The value a float64 becomes after Go writes it as JSON and Kubernetes reads it back: an integer when
    /// the written text has no `.` or exponent and fits int64 (`1e3` → 1000), else the same float.
    public static func kubernetesReading(_ value: Double) -> JSONValue {
        let text = format(value)
        if !text.contains(where: { $0 == "." || $0 == "e" || $0 == "n" }), let integer = Int64(text) { return .int(integer) }
        return .double(value)
    }
}
