import Foundation
import KubernetesAPI

/// What makes two events "the same" (client-go's `eventKey`): the note is not part of it.
struct EventKey: Hashable, Sendable {
    var type: String
    var action: String
    var reason: String
    var reportingController: String
    var reportingInstance: String
    var regarding: ObjectReference
    var related: ObjectReference?

    init(_ e: Event) {
        type = e.type ?? ""
        action = e.action ?? ""
        reason = e.reason ?? ""
        reportingController = e.reportingController ?? ""
        reportingInstance = e.reportingInstance ?? ""
        regarding = e.regarding ?? ObjectReference()
        related = e.related
    }
}

/// The pure core of events.k8s.io/v1 series deduplication (`tools/events`):
/// the first occurrence of an event is created; the second turns it into a series (`count: 2`)
/// with one PATCH; later ones only count up locally. Series are re-sent every `refreshInterval`
/// (30 min) and forgotten after `idleTimeout` (6 min) without a new occurrence.
public struct EventSeriesCache: Sendable {
    /// What to send to the API server.
    public enum Action: Sendable, Equatable {
        /// POST this new Event.
        case create(Event)
        /// PATCH this Event's `series` (it was created earlier).
        case patchSeries(Event)
        /// Nothing to send now: counted locally.
        case none
    }

    private struct Entry: Sendable {
        var event: Event
        var lastSent: Date
    }

    private var entries: [EventKey: Entry] = [:]
    /// A series with no new occurrence for this long is closed.
    public var idleTimeout: TimeInterval = 6 * 60
    /// Open series are re-sent this often.
    public var refreshInterval: TimeInterval = 30 * 60

    /// Creates an empty cache.
    public init() {}

    /// The number of events remembered.
    public var count: Int { entries.count }

    /// Records an occurrence of `event` at `now`; returns what to send.
    public mutating func observe(_ event: Event, now: Date) -> Action {
        let key = EventKey(event)
        guard var entry = entries[key] else {
            entries[key] = Entry(event: event, lastSent: now)
            return .create(event)
        }
        if var series = entry.event.series {
            series.count += 1
            series.lastObservedTime = MicroTime(now)
            entry.event.series = series
            entries[key] = entry
            return .none
        }
        entry.event.series = EventSeries(count: 2, lastObservedTime: MicroTime(now))
        entry.lastSent = now
        entries[key] = entry
        return .patchSeries(entry.event)
    }

    /// Closes idle series and returns the open series due for a refresh (marked as sent at `now`).
    public mutating func maintain(now: Date) -> [Event] {
        var due: [Event] = []
        for (key, entry) in entries {
            let last = entry.event.series?.lastObservedTime.date ?? entry.event.eventTime?.date ?? entry.lastSent
            if now.timeIntervalSince(last) >= idleTimeout {
                entries[key] = nil
            } else if entry.event.series != nil && now.timeIntervalSince(entry.lastSent) >= refreshInterval {
                entries[key]?.lastSent = now
                due.append(entry.event)
            }
        }
        return due
    }
}
