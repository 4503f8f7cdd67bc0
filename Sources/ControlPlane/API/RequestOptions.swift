import KubernetesAPI

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

/// `resourceVersionMatch`: how a list (or a streaming-list watch) relates to `resourceVersion`.
enum ResourceVersionMatch: String, Sendable {
    /// The state at exactly that revision.
    case exact = "Exact"
    /// Any state at least as new as that revision.
    case notOlderThan = "NotOlderThan"
}

/// The query options of a list or watch.
struct ListOptions: Sendable {
    var filter: ListFilter
    var limit: Int?
    var continueToken: String?
    /// `resourceVersion`; nil or empty means "most recent", for watches "send the current state first".
    var resourceVersion: String?
    /// `resourceVersionMatch`, validated as kube-apiserver does (see `ListOptionsValidation`).
    var resourceVersionMatch: ResourceVersionMatch?
    var watch: Bool
    var allowBookmarks: Bool
    /// `sendInitialEvents` (watch only): true asks for the streaming list, false for changes only, nil for the legacy rule.
    var sendInitialEvents: Bool?
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
        watch = query.flag("watch")
        allowBookmarks = query.flag("allowWatchBookmarks")
        if let s = query["sendInitialEvents"] { sendInitialEvents = QueryParameters.isTrue(s) }
        let match = query["resourceVersionMatch"] ?? ""
        try ListOptionsValidation.validate(
            match: match, resourceVersion: resourceVersion ?? "", continueToken: continueToken ?? "", watch: watch,
            sendInitialEvents: sendInitialEvents)
        resourceVersionMatch = ResourceVersionMatch(rawValue: match)
        if let t = query["timeoutSeconds"], !t.isEmpty {
            guard let n = Int(t), n >= 0 else { throw APIError.badRequest("invalid timeoutSeconds \"\(t)\"") }
            timeoutSeconds = n
        }
        if continueToken != nil, watch { throw APIError.badRequest("continue is not supported for watch") }
    }

    /// The requested revision as a number, when it names one (not absent, empty or "0").
    var minimumRevision: Int64? {
        guard let rv = resourceVersion, let n = Int64(rv), n > 0 else { return nil }
        return n
    }

    /// Whether a watch starts with a synthetic ADDED for every current match: asked for with
    /// `sendInitialEvents=true`, or (legacy rule) no `sendInitialEvents` and no revision to resume from.
    var sendsInitialEvents: Bool {
        sendInitialEvents ?? (minimumRevision == nil)
    }
}

/// kube-apiserver's checks of `resourceVersionMatch` and `sendInitialEvents` (with the streaming list
/// enabled): a violation is 422 Invalid on kind `ListOptions` of group `meta.k8s.io`, one cause per rule.
enum ListOptionsValidation {
    static func validate(match: String, resourceVersion: String, continueToken: String, watch: Bool, sendInitialEvents: Bool?) throws {
        let field = "resourceVersionMatch"
        var causes: [FieldError] = []
        let notOlderThan = ResourceVersionMatch.notOlderThan.rawValue
        if watch {
            if sendInitialEvents != nil, match != notOlderThan {
                causes.append(.forbidden(field, "sendInitialEvents requires setting resourceVersionMatch to \(notOlderThan)"))
            }
            if !match.isEmpty {
                if sendInitialEvents == nil {
                    causes.append(.forbidden(field, "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"))
                }
                if match != notOlderThan {
                    causes.append(.notSupported(field, value: .string(match), supported: [.string(notOlderThan)]))
                }
                if !continueToken.isEmpty {
                    causes.append(.forbidden(field, "resourceVersionMatch is forbidden when continue is provided"))
                }
            }
        } else {
            if !match.isEmpty {
                if resourceVersion.isEmpty {
                    causes.append(.forbidden(field, "resourceVersionMatch is forbidden unless resourceVersion is provided"))
                }
                if !continueToken.isEmpty {
                    causes.append(.forbidden(field, "resourceVersionMatch is forbidden when continue is provided"))
                }
                if ResourceVersionMatch(rawValue: match) == nil {
                    causes.append(
                        .notSupported(
                            field, value: .string(match),
                            supported: [.string(ResourceVersionMatch.exact.rawValue), .string(notOlderThan), .string("")]))
                }
                if match == ResourceVersionMatch.exact.rawValue, resourceVersion == "0" {
                    causes.append(.forbidden(field, "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""))
                }
            }
            if sendInitialEvents != nil {
                causes.append(.forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"))
            }
        }
        if !causes.isEmpty { throw APIError.invalid(kind: "ListOptions", group: "meta.k8s.io", name: "", causes: causes) }
    }
}

extension APIError {
    /// 504 for a revision newer than the store has: `Too large resource version: 12, current: 9`.
    static func resourceVersionTooLarge(requested: Int64, current: Int64) -> APIError {
        APIError(
            code: 504, reason: StatusReason.timeout, message: "Too large resource version: \(requested), current: \(current)",
            details: StatusDetails(
                causes: [StatusCause(reason: "ResourceVersionTooLarge", message: "Too large resource version")], retryAfterSeconds: 1))
    }

    /// 410 for an `Exact` list at a revision whose state is no longer kept.
    static func listTooOld() -> APIError {
        APIError(code: 410, reason: StatusReason.expired, message: "The resourceVersion for the provided list is too old.")
    }
}
