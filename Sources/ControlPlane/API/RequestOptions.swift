import FederationAPI

/// The query options of a write: `fieldValidation`, `dryRun`, `fieldManager`, `force`.
struct WriteOptions: Sendable {
    var fieldValidation: FieldValidation
    /// `dryRun=All`: everything but the write happens; the answer is what would have been stored.
    var dryRun: Bool
    var fieldManager: String?
    /// `force=true`: a server-side apply takes the fields other managers own.
    var force = false
    /// The request's User-Agent, which names the field manager when `fieldManager` is not given.
    var userAgent: String?

    init(_ query: QueryParameters, userAgent: String? = nil) throws {
        self.userAgent = userAgent
        force = query.flag("force")
        fieldValidation = try FieldValidation(query: query["fieldValidation"])
        switch query["dryRun"] {
        case nil, "": dryRun = false
        case "All": dryRun = true
        case let other?: throw APIError.badRequest("unsupported dryRun value \"\(other)\": only \"All\" is allowed")
        }
        fieldManager = query["fieldManager"]
    }
}

/// The query options of a list or watch.
struct ListOptions: Sendable {
    var filter: ListFilter
    var limit: Int?
    var continueToken: String?
    /// `resourceVersion`; nil or empty means "most recent", for watches "send the current state first".
    var resourceVersion: String?
    var watch: Bool
    var allowBookmarks: Bool
    var timeoutSeconds: Int?

    init(_ query: QueryParameters, resource: String) throws {
        filter = try ListFilter(labelSelector: query["labelSelector"], fieldSelector: query["fieldSelector"], resource: resource)
        if let l = query["limit"], !l.isEmpty {
            guard let n = Int(l), n >= 0 else { throw APIError.badRequest("invalid limit \"\(l)\"") }
            limit = n > 0 ? n : nil
        }
        continueToken = query["continue"].flatMap { $0.isEmpty ? nil : $0 }
        resourceVersion = query["resourceVersion"]
        if let rv = resourceVersion, !rv.isEmpty, Int64(rv) == nil {
            throw APIError.badRequest("invalid resourceVersion \"\(rv)\": must be an integer")
        }
        if query["resourceVersionMatch"] != nil, (resourceVersion ?? "").isEmpty {
            throw APIError.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided")
        }
        watch = query.flag("watch")
        allowBookmarks = query.flag("allowWatchBookmarks")
        if let t = query["timeoutSeconds"], !t.isEmpty {
            guard let n = Int(t), n >= 0 else { throw APIError.badRequest("invalid timeoutSeconds \"\(t)\"") }
            timeoutSeconds = n
        }
        if continueToken != nil, watch { throw APIError.badRequest("continue is not supported for watch") }
    }
}
