import Foundation
import KubernetesAPI

/// Options of a create, update or patch.
public struct WriteOptions: Sendable, Hashable {
    /// The field manager recorded in `managedFields` (required for apply patches).
    public var fieldManager: String?
    /// Validate and default without persisting (`dryRun=All`).
    public var dryRun: Bool
    /// `fieldValidation`: `Ignore`, `Warn` or `Strict`.
    public var fieldValidation: String?

    /// Creates write options.
    public init(fieldManager: String? = nil, dryRun: Bool = false, fieldValidation: String? = nil) {
        self.fieldManager = fieldManager
        self.dryRun = dryRun
        self.fieldValidation = fieldValidation
    }

    var queryItems: [QueryItem] {
        var q: [QueryItem] = []
        if dryRun { q.append(QueryItem("dryRun", "All")) }
        if let f = fieldManager { q.append(QueryItem("fieldManager", f)) }
        if let v = fieldValidation { q.append(QueryItem("fieldValidation", v)) }
        return q
    }
}

/// The kinds of PATCH the API accepts, with their content types.
public enum PatchType: Sendable, Hashable {
    /// RFC 7386 JSON merge patch.
    case merge
    /// RFC 6902 JSON patch (a list of operations).
    case json
    /// Kubernetes strategic merge patch (core kinds only).
    case strategicMerge
    /// Server-side apply; `force` takes ownership of conflicting fields. Needs a field manager.
    case apply(force: Bool)

    /// The `Content-Type` header value.
    public var contentType: String {
        switch self {
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .strategicMerge: return "application/strategic-merge-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }
}

/// How dependents are handled when an owner is deleted.
public enum PropagationPolicy: String, Sendable, Hashable, Codable {
    /// Dependents are deleted in the background after the owner.
    case background = "Background"
    /// The owner waits for blocking dependents.
    case foreground = "Foreground"
    /// Dependents are kept.
    case orphan = "Orphan"
}

/// Conditions the object must meet for a delete to proceed.
public struct Preconditions: Sendable, Hashable, Codable {
    /// The object's uid must match.
    public var uid: String?
    /// The object's resourceVersion must match.
    public var resourceVersion: String?

    /// Creates preconditions.
    public init(uid: String? = nil, resourceVersion: String? = nil) {
        self.uid = uid
        self.resourceVersion = resourceVersion
    }
}

/// `metav1.DeleteOptions`, sent as the DELETE body.
public struct DeleteOptions: Sendable, Hashable, Codable {
    /// Always "DeleteOptions".
    public var kind: String = "DeleteOptions"
    /// Always "v1".
    public var apiVersion: String = "v1"
    /// How dependents are handled.
    public var propagationPolicy: PropagationPolicy?
    /// Conditions that must hold.
    public var preconditions: Preconditions?
    /// Seconds before the object is deleted; 0 deletes at once.
    public var gracePeriodSeconds: Int64?
    /// `["All"]` for a dry run.
    public var dryRun: [String]?

    /// Creates delete options.
    public init(propagationPolicy: PropagationPolicy? = nil, preconditions: Preconditions? = nil, gracePeriodSeconds: Int64? = nil, dryRun: Bool = false) {
        self.propagationPolicy = propagationPolicy
        self.preconditions = preconditions
        self.gracePeriodSeconds = gracePeriodSeconds
        self.dryRun = dryRun ? ["All"] : nil
    }
}
