import Foundation
import KubernetesAPI

/// Records events.k8s.io/v1 Events for one controller (controller-runtime's `GetEventRecorder(name)`).
/// Cheap and non-blocking: events go to the broadcaster's bounded queue (dropped when full).
///
/// ```swift
/// recorder.event(regarding: ObjectReference(to: dc), type: Event.warning, reason: "DatacenterUnreachable",
///                action: "Probe", note: "no answer for 3 probes")
/// ```
public struct EventRecorder: Sendable {
    /// `reportingController`, such as `federation.concord.dev/datacenter-controller`.
    public let reportingController: String
    /// `reportingInstance`: `<controller>-<hostname>`.
    public let reportingInstance: String
    private let broadcaster: EventBroadcaster?

    /// A recorder sending through `broadcaster` (nil records nothing).
    public init(broadcaster: EventBroadcaster?, reportingController: String, reportingInstance: String? = nil) {
        self.broadcaster = broadcaster
        self.reportingController = String(reportingController.prefix(128))
        self.reportingInstance = String((reportingInstance ?? "\(reportingController)-\(EventRecorder.hostname)").prefix(128))
    }

    /// A recorder that records nothing.
    public static var disabled: EventRecorder { EventRecorder(broadcaster: nil, reportingController: "none") }

    /// Records an event about `regarding`. `type` is `Normal` or `Warning`; `reason` and `action`
    /// are CamelCase (at most 128 characters); `note` is cut to 1 kB. `instance` replaces the
    /// recorder's `reportingInstance` for an event about one of several places the controller acts
    /// in (one of the clusters it writes to): events that differ only there are then counted apart
    /// (the series key has no note).
    public func event(
        regarding: ObjectReference, related: ObjectReference? = nil, type: String, reason: String, action: String, note: String, instance: String? = nil
    ) {
        guard let broadcaster else { return }
        let now = broadcaster.now()
        let namespace = (regarding.namespace?.isEmpty ?? true) ? "default" : regarding.namespace!
        let nanos = UInt64(max(0, now.timeIntervalSince1970 * 1e9))
        let event = Event(
            metadata: ObjectMeta(name: "\(regarding.name ?? "object").\(String(nanos, radix: 16))", namespace: namespace),
            eventTime: MicroTime(now), reportingController: reportingController, reportingInstance: instance.map { String($0.prefix(128)) } ?? reportingInstance,
            action: String(action.prefix(128)), reason: String(reason.prefix(128)), regarding: regarding, related: related,
            note: Self.truncate(note, bytes: 1024), type: type)
        broadcaster.submit(event)
    }

    /// `s` cut to at most `bytes` bytes of UTF-8, on a character boundary (a note's limit is 1 kB).
    public static func truncate(_ s: String, bytes: Int) -> String {
        guard s.utf8.count > bytes else { return s }
        var out = ""
        for ch in s {
            if out.utf8.count + String(ch).utf8.count > bytes { break }
            out.append(ch)
        }
        return out
    }

    static var hostname: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
