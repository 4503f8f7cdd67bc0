import FederationAPI
import Foundation

/// Ages the way kubectl prints them: `8s`, `5m30s`, `3h`, `2d`, `1y20d`.
enum HumanDuration {
    static func format(_ seconds: Int) -> String {
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 {
            let s = seconds % 60
            return s == 0 ? "\(minutes)m" : "\(minutes)m\(s)s"
        }
        if minutes < 180 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 {
            let m = minutes % 60
            return m == 0 ? "\(hours)h" : "\(hours)h\(m)m"
        }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 {
            let h = hours % 24
            return h == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(h)h"
        }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let d = (hours / 24) % 365
            return d == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(d)d"
        }
        return "\(hours / 24 / 365)y"
    }

    /// The age of an RFC 3339 timestamp at `now`, or `<unknown>`.
    static func age(of timestamp: String?, now: Date) -> String {
        guard let timestamp, let date = RFC3339.parse(timestamp) else { return "<unknown>" }
        return format(Int(now.timeIntervalSince(date).rounded(.down)))
    }
}

