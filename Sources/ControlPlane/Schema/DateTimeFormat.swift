import KubernetesAPI

/// `format: date-time` as kube-apiserver checks it in custom resources: a calendar date, `T` (either case),
/// `hh:mm:ss` (hours up to 23, minutes and seconds up to 59), optional fractional seconds, and `Z` or a
/// `±hh:mm` offset. Concord asks for the `.` before the fraction, which kube-apiserver's pattern leaves open,
/// so every accepted value is one Concord's timestamp decoder reads.
enum DateTimeFormat {
    static func isValid(_ text: String) -> Bool {
        let parts = text.lowercased().split(separator: "t", omittingEmptySubsequences: false)
        guard parts.count == 2, isDate(parts[0]) else { return false }
        guard let match = parts[1].wholeMatch(of: #/([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(z|[+-][0-9]{2}:[0-9]{2})/#) else {
            return false
        }
        return match.1 <= "23" && match.2 <= "59" && match.3 <= "59"
    }

    /// `YYYY-MM-DD` naming a day that exists.
    static func isDate(_ text: Substring) -> Bool {
        guard let match = text.wholeMatch(of: #/([0-9]{4})-([0-9]{2})-([0-9]{2})/#),
            let year = Int(match.1), let month = Int(match.2), let day = Int(match.3), (1...12).contains(month)
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// kube-apiserver's field error for a value that is not a date-time.
    static func error(_ field: String, _ text: String) -> FieldError {
        let rendered = FieldError.renderValue(.string(text))
        return FieldError(
            field: field, reason: .typeInvalid, message: "Invalid value: \(rendered): \(field) in body must be of type date-time: \(rendered)")
    }
}
