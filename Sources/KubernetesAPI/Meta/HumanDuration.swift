import Foundation

/// Durations as kubectl prints ages: `8s`, `3m12s`, `45m`, `5h3m`, `2d`, `1y20d`.
public enum HumanDuration {
    /// Formats a number of seconds the way `kubectl get` renders an AGE column.
    public static func format(_ seconds: TimeInterval) -> String {
        let s = Int(max(0, seconds))
        if s < 120 { return "\(s)s" }
        let m = s / 60
        if m < 10 { return s % 60 == 0 ? "\(m)m" : "\(m)m\(s % 60)s" }
        if m < 180 { return "\(m)m" }
        let h = m / 60
        if h < 8 { return m % 60 == 0 ? "\(h)h" : "\(h)h\(m % 60)m" }
        if h < 48 { return "\(h)h" }
        if h < 24 * 8 { return h % 24 == 0 ? "\(h / 24)d" : "\(h / 24)d\(h % 24)h" }
        if h < 24 * 365 * 2 { return "\(h / 24)d" }
        let y = h / (24 * 365)
        if y < 8 { let d = (h / 24) % 365; return d == 0 ? "\(y)y" : "\(y)y\(d)d" }
        return "\(y)y"
    }
}
