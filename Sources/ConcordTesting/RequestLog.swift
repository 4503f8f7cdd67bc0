import ControlPlane
import Foundation
import Logging
import Synchronization

/// Every request a test control plane answered: method, path and status code, read from the
/// server's request log. Pass it to `withTestControlPlane(configure:)` through ``install(in:)``.
///
/// ```swift
/// let log = RequestLog()
/// try await withTestControlPlane(configure: { log.install(in: &$0) }) { plane in
///     …
///     #expect(log.requests.filter { $0.code == 409 }.isEmpty)
/// }
/// ```
public final class RequestLog: Sendable {
    /// One answered request.
    public struct Entry: Hashable, Sendable {
        /// `GET`, `PATCH`, …
        public var method: String
        /// The path without the query.
        public var path: String
        /// The HTTP status code of the answer.
        public var code: Int
    }

    private let entries = Mutex<[Entry]>([])

    /// Creates an empty log.
    public init() {}

    /// Every request answered so far, in order.
    public var requests: [Entry] { entries.withLock { $0 } }

    /// Points the control plane's logger at this log (the server logs each request at debug level).
    public func install(in configuration: inout ControlPlaneConfiguration) {
        var logger = Logger(label: "concord.test-control-plane") { _ in RequestLogHandler(log: self) }
        logger.logLevel = .debug
        configuration.logger = logger
    }

    fileprivate func record(_ entry: Entry) { entries.withLock { $0.append(entry) } }
}

/// Keeps the server's "Served request" and "Request rejected" lines; drops everything else.
private struct RequestLogHandler: LogHandler {
    let log: RequestLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard let metadata = event.metadata, let method = metadata["method"], let path = metadata["path"],
            let code = (metadata["status"] ?? metadata["code"]).flatMap({ Int("\($0)") })
        else { return }
        log.record(RequestLog.Entry(method: "\(method)", path: "\(path)", code: code))
    }
}
