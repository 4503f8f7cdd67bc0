import Foundation
import Logging
import Synchronization

/// Collects every log line a logger writes, as `level message key=value …` (metadata sorted by key).
///
/// ```swift
/// let log = CapturedLog()
/// let server = ControlPlaneServer(configuration: … logger: log.logger())
/// #expect(!log.text.contains(token))
/// ```
public final class CapturedLog: Sendable {
    private let entries = Mutex<[String]>([])

    /// Creates an empty log.
    public init() {}

    /// Every line so far.
    public var lines: [String] { entries.withLock { $0 } }

    /// Every line so far, joined by newlines.
    public var text: String { lines.joined(separator: "\n") }

    /// A logger writing here at `level` and above (default: everything).
    public func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "concord.test.captured") { _ in Handler(sink: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ line: String) { entries.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let sink: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            sink.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}
