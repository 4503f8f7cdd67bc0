import ArgumentParser
import Foundation
import Logging

/// The log line format.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    /// `2026-11-21T05:31:06.123Z INFO concord.controller: Datacenter phase changed datacenter=us-west …`
    case text
    /// One JSON object per line: `{"ts":…,"level":"info","logger":…,"msg":…, …metadata}`.
    case json
}

/// Structured logs on stderr, as text or JSON, flushed per line so nothing is lost on a crash.
struct ConcordLogHandler: LogHandler {
    let label: String
    let format: LogFormat
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let line = Self.render(format: format, timestamp: RFC3339Millis.now(), level: event.level, label: label, message: "\(event.message)", metadata: merged)
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// One log line (with its newline). JSON lines carry nested metadata (an object's
    /// `{"name","namespace"}`) as nested JSON; text lines as `key=value` pairs.
    static func render(format: LogFormat, timestamp: String, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        switch format {
        case .text:
            let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\(quoted(textValue($0.value)))" }.joined(separator: " ")
            return "\(timestamp) \(level.rawValue.uppercased()) \(label): \(message)\(fields.isEmpty ? "" : " " + fields)\n"
        case .json:
            var object: [String: Any] = ["ts": timestamp, "level": level.rawValue, "logger": label, "msg": message]
            for (k, v) in metadata where object[k] == nil { object[k] = jsonValue(v) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    /// A metadata value in a text line: nested values as compact JSON (`{"name":"us-east"}`).
    private static func textValue(_ v: Logger.MetadataValue) -> String {
        switch v {
        case .string, .stringConvertible: return "\(v)"
        case .array, .dictionary:
            let data = (try? JSONSerialization.data(withJSONObject: jsonValue(v), options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    private static func jsonValue(_ v: Logger.MetadataValue) -> Any {
        switch v {
        case .string(let s): return s
        case .stringConvertible(let c): return "\(c)"
        case .array(let a): return a.map(jsonValue)
        case .dictionary(let d): return d.mapValues(jsonValue)
        }
    }

    private static func quoted(_ s: String) -> String {
        s.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? "\"\(s.replacingOccurrences(of: "\"", with: "\\\""))\"" : s
    }
}

/// RFC 3339 timestamps with milliseconds for log lines.
enum RFC3339Millis {
    static func now() -> String {
        let d = Date()
        var t = time_t(d.timeIntervalSince1970)
        var tm = tm()
        gmtime_r(&t, &tm)
        let ms = Int((d.timeIntervalSince1970 - Double(t)) * 1000)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms)
    }
}
