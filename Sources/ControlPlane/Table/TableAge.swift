import Foundation
import KubernetesAPI

/// The AGE of an object as a Table cell.
enum TableAge {
    /// The age of an RFC 3339 timestamp at `now` (`8s`, `5m`, `3h`, `2d`), or `<unknown>`.
    static func age(of timestamp: String?, now: Date) -> String {
        guard let timestamp, let date = RFC3339.parse(timestamp) else { return "<unknown>" }
        return HumanDuration.format(now.timeIntervalSince(date).rounded(.down))
    }
}
