import Foundation

/// `events.k8s.io/v1.Event`: a report about another object (`regarding`), shown by `kubectl describe`.
public struct Event: KubeResource, Hashable {
    /// The resource `events` in `events.k8s.io/v1`.
    public static let groupVersionResource = GroupVersionResource(group: "events.k8s.io", version: "v1", resource: "events")
    /// `Event`.
    public static let kind = "Event"
    /// Events are namespaced (in the namespace of the object they regard, or `default`).
    public static let isNamespaced = true

    /// Always `events.k8s.io/v1`.
    @DefaultAPIVersion<Self> public var apiVersion: String
    /// Always `Event`.
    @DefaultKind<Self> public var kind: String
    /// The object's metadata.
    @DefaultEmpty public var metadata: ObjectMeta
    /// When the event first happened. Required when creating; events written through the legacy
    /// core/v1 API read back without it.
    public var eventTime: MicroTime?
    /// Repetitions, when the event recurred.
    public var series: EventSeries?
    /// The controller that emitted it, such as `federation.concord.dev/datacenter-controller`.
    public var reportingController: String?
    /// The controller instance, such as the Pod name.
    public var reportingInstance: String?
    /// What was done or failed, such as `Failover`.
    public var action: String?
    /// Why, in CamelCase, such as `DatacenterUnreachable`.
    public var reason: String?
    /// The object the event is about.
    public var regarding: ObjectReference?
    /// A second object involved.
    public var related: ObjectReference?
    /// Human-readable detail (at most 1 kB).
    public var note: String?
    /// `Normal` or `Warning`.
    public var type: String?
    /// Legacy core/v1 `count`.
    public var deprecatedCount: Int?
    /// Legacy core/v1 `firstTimestamp`.
    public var deprecatedFirstTimestamp: KubeTime?
    /// Legacy core/v1 `lastTimestamp`.
    public var deprecatedLastTimestamp: KubeTime?

    /// `type` of routine events.
    public static let normal = "Normal"
    /// `type` of events that need attention.
    public static let warning = "Warning"

    /// Creates an Event.
    public init(
        metadata: ObjectMeta, eventTime: MicroTime?, series: EventSeries? = nil, reportingController: String? = nil,
        reportingInstance: String? = nil, action: String? = nil, reason: String? = nil, regarding: ObjectReference? = nil,
        related: ObjectReference? = nil, note: String? = nil, type: String? = nil, deprecatedCount: Int? = nil,
        deprecatedFirstTimestamp: KubeTime? = nil, deprecatedLastTimestamp: KubeTime? = nil
    ) {
        self.metadata = metadata
        self.eventTime = eventTime
        self.series = series
        self.reportingController = reportingController
        self.reportingInstance = reportingInstance
        self.action = action
        self.reason = reason
        self.regarding = regarding
        self.related = related
        self.note = note
        self.type = type
        self.deprecatedCount = deprecatedCount
        self.deprecatedFirstTimestamp = deprecatedFirstTimestamp
        self.deprecatedLastTimestamp = deprecatedLastTimestamp
    }
}

/// A list of Events.
public typealias EventList = KubeList<Event>

/// `events.k8s.io/v1.EventSeries`: how often a deduplicated event recurred.
public struct EventSeries: Codable, Hashable, Sendable {
    /// Occurrences so far.
    public var count: Int
    /// When it last happened.
    public var lastObservedTime: MicroTime

    /// Creates a series.
    public init(count: Int, lastObservedTime: MicroTime) {
        self.count = count
        self.lastObservedTime = lastObservedTime
    }
}
