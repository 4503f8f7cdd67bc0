import KubernetesAPI

/// core/v1 Events and events.k8s.io/v1 Events are one stored object in two shapes, as in kube-apiserver:
/// objects are stored in the core shape and converted field by field at the events.k8s.io edge, so an
/// event recorded through either API is listed, watched and `kubectl describe`d through both.
enum EventConversion {
    /// The storage resource both Event APIs share.
    static let storageResource = "events"

    /// core/v1 field ↔ events.k8s.io/v1 field; every other field has the same name in both.
    static let renamed: [(core: String, events: String)] = [
        ("involvedObject", "regarding"), ("message", "note"), ("reportingComponent", "reportingController"),
        ("source", "deprecatedSource"), ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"), ("count", "deprecatedCount"),
    ]

    /// Fields kube-apiserver always writes out, from Go values that have no "absent": a zero time is
    /// `null`, an empty source `{}`, an empty reporting component or instance `""`. An Event recorded
    /// through events.k8s.io/v1 therefore reads through core/v1 with `lastTimestamp: null` (what
    /// `kubectl get events --sort-by=.lastTimestamp` sorts on), and the other way round.
    static let goZero: [(field: String, zero: JSONValue)] = [
        ("firstTimestamp", .null), ("lastTimestamp", .null), ("eventTime", .null), ("source", [:]),
        ("reportingComponent", ""), ("reportingInstance", ""),
    ]

    /// A stored Event as core/v1 serves it: every field of ``goZero`` present.
    static func servedAsCore(_ object: JSONValue) -> JSONValue {
        guard var o = object.objectValue else { return object }
        for (field, zero) in goZero where o[field] == nil { o[field] = zero }
        return .object(o)
    }

    /// An Event as stored: the zero values ``servedAsCore(_:)`` writes out are dropped again (a client
    /// that sends back what it read stores what was there), as decoding into Go values does.
    static func stored(_ object: JSONValue) -> JSONValue {
        guard var o = object.objectValue else { return object }
        for (field, zero) in goZero where o[field] == zero { o[field] = nil }
        return .object(o)
    }

    /// The events.k8s.io/v1 shape of a stored (core) Event; an object already in that shape is returned as is.
    static func toEventsV1(_ object: JSONValue) -> JSONValue {
        guard var o = servedAsCore(object).objectValue, o["apiVersion"]?.stringValue != "events.k8s.io/v1" else { return object }
        for (core, events) in renamed {
            if let value = o.removeValue(forKey: core) { o[events] = value }
        }
        o["apiVersion"] = "events.k8s.io/v1"
        o["kind"] = "Event"
        return .object(o)
    }

    /// The core/v1 (stored) shape of an events.k8s.io/v1 Event; a core Event is returned as is.
    static func toCore(_ object: JSONValue) -> JSONValue {
        guard var o = object.objectValue, o["apiVersion"]?.stringValue == "events.k8s.io/v1" else { return stored(object) }
        for (core, events) in renamed {
            if let value = o.removeValue(forKey: events) { o[core] = value }
        }
        o["apiVersion"] = "v1"
        o["kind"] = "Event"
        return stored(.object(o))
    }
}
