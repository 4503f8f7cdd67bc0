import Foundation
import KubernetesAPI

/// How the server may serve a list or watch relative to `resourceVersion` (`resourceVersionMatch`).
public enum ResourceVersionMatch: String, Sendable, Hashable {
    /// At least as new as the given version.
    case notOlderThan = "NotOlderThan"
    /// Exactly the given version.
    case exact = "Exact"
}

/// Options of a LIST or WATCH: selectors, consistency and paging.
public struct ListOptions: Sendable, Hashable {
    /// A label selector such as `app=web,tier in (a,b)`.
    public var labelSelector: String?
    /// A field selector such as `metadata.name=foo`.
    public var fieldSelector: String?
    /// The resourceVersion to read at (or to watch from).
    public var resourceVersion: String?
    /// How `resourceVersion` is interpreted.
    public var resourceVersionMatch: ResourceVersionMatch?
    /// Page size; nil or 0 asks for everything.
    public var limit: Int?
    /// The continue token of the previous page.
    public var `continue`: String?
    /// Server-side timeout (lists and watches).
    public var timeoutSeconds: Int?

    /// Creates options; every field is optional.
    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
        resourceVersionMatch: ResourceVersionMatch? = nil, limit: Int? = nil, continue: String? = nil,
        timeoutSeconds: Int? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.limit = limit
        self.continue = `continue`
        self.timeoutSeconds = timeoutSeconds
    }

    /// Options selecting by a `LabelSelector` value.
    public static func selecting(_ selector: LabelSelector) -> ListOptions {
        ListOptions(labelSelector: selector.queryString)
    }

    var queryItems: [QueryItem] {
        var q: [QueryItem] = []
        if let v = labelSelector, !v.isEmpty { q.append(QueryItem("labelSelector", v)) }
        if let v = fieldSelector, !v.isEmpty { q.append(QueryItem("fieldSelector", v)) }
        if let v = resourceVersion { q.append(QueryItem("resourceVersion", v)) }
        if let v = resourceVersionMatch { q.append(QueryItem("resourceVersionMatch", v.rawValue)) }
        if let v = limit, v > 0 { q.append(QueryItem("limit", String(v))) }
        if let v = `continue`, !v.isEmpty { q.append(QueryItem("continue", v)) }
        if let v = timeoutSeconds { q.append(QueryItem("timeoutSeconds", String(v))) }
        return q
    }
}

/// Options of a WATCH.
public struct WatchOptions: Sendable, Hashable {
    /// Selectors and the resourceVersion to start from.
    public var list: ListOptions
    /// Ask for BOOKMARK events (client-go always does).
    public var allowWatchBookmarks: Bool
    /// Ask for synthetic ADDED events for existing objects, ended by an initial-events-end bookmark.
    public var sendInitialEvents: Bool?

    /// Creates watch options.
    public init(list: ListOptions = ListOptions(), allowWatchBookmarks: Bool = true, sendInitialEvents: Bool? = nil) {
        self.list = list
        self.allowWatchBookmarks = allowWatchBookmarks
        self.sendInitialEvents = sendInitialEvents
    }

    var queryItems: [QueryItem] {
        var q = [QueryItem("watch", "true")]
        q += list.queryItems.filter { $0.name != "limit" && $0.name != "continue" }
        if allowWatchBookmarks { q.append(QueryItem("allowWatchBookmarks", "true")) }
        if let s = sendInitialEvents { q.append(QueryItem("sendInitialEvents", s ? "true" : "false")) }
        return q
    }
}

extension LabelSelector {
    /// The selector as a query string (`a=b,c in (d,e),!f`), the form `labelSelector=` takes.
    public var queryString: String {
        var parts: [String] = []
        for (k, v) in (matchLabels ?? [:]).sorted(by: { $0.key < $1.key }) { parts.append("\(k)=\(v)") }
        for r in matchExpressions ?? [] {
            let values = (r.values ?? []).sorted().joined(separator: ",")
            switch r.operator {
            case .in: parts.append("\(r.key) in (\(values))")
            case .notIn: parts.append("\(r.key) notin (\(values))")
            case .exists: parts.append(r.key)
            case .doesNotExist: parts.append("!\(r.key)")
            }
        }
        return parts.joined(separator: ",")
    }
}
