import Foundation

/// A typed list response: `{"apiVersion","kind":"XList","metadata":{…},"items":[…]}`.
public struct KubeList<Item: Codable & Sendable>: Codable, Sendable {
    /// The list's apiVersion.
    public var apiVersion: String?
    /// The list's kind, such as `DatacenterList`.
    public var kind: String?
    /// Revision and continuation.
    public var metadata: ListMeta
    /// The objects.
    public var items: [Item]

    /// Creates a list.
    public init(apiVersion: String? = nil, kind: String? = nil, metadata: ListMeta = ListMeta(), items: [Item]) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.metadata = metadata
        self.items = items
    }

    /// Decodes, treating `"items": null` as empty (kube-apiserver sends null for empty lists of some kinds).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        metadata = try c.decodeIfPresent(ListMeta.self, forKey: .metadata) ?? ListMeta()
        items = try c.decodeIfPresent([Item].self, forKey: .items) ?? []
    }
}

/// The event types of a watch stream.
public enum WatchEventType: String, Codable, Hashable, Sendable {
    /// An object appeared (or, for watches from `""`/`"0"`, already existed).
    case added = "ADDED"
    /// An object changed.
    case modified = "MODIFIED"
    /// An object was removed.
    case deleted = "DELETED"
    /// Progress marker carrying only a resourceVersion.
    case bookmark = "BOOKMARK"
    /// An error; the object is a Status.
    case error = "ERROR"
}

/// One line of a watch stream.
public struct WatchEvent<Object: Codable & Sendable>: Codable, Sendable {
    /// What happened.
    public var type: WatchEventType
    /// The object after the change (or a Status for ERROR).
    public var object: Object

    /// Creates an event.
    public init(type: WatchEventType, object: Object) {
        self.type = type
        self.object = object
    }
}
