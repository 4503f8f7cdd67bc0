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

    /// The events.k8s.io/v1 shape of a stored (core) Event; an object already in that shape is returned as is.
    static func toEventsV1(_ object: JSONValue) -> JSONValue {
        guard var o = object.objectValue, o["apiVersion"]?.stringValue != "events.k8s.io/v1" else { return object }
        for (core, events) in renamed {
            if let value = o.removeValue(forKey: core) { o[events] = value }
        }
        o["apiVersion"] = "events.k8s.io/v1"
        o["kind"] = "Event"
        return .object(o)
    }

    /// The core/v1 (stored) shape of an events.k8s.io/v1 Event; a core Event is returned as is.
    static func toCore(_ object: JSONValue) -> JSONValue {
        guard var o = object.objectValue, o["apiVersion"]?.stringValue == "events.k8s.io/v1" else { return object }
        for (core, events) in renamed {
            if let value = o.removeValue(forKey: events) { o[core] = value }
        }
        o["apiVersion"] = "v1"
        o["kind"] = "Event"
        return .object(o)
    }
}
