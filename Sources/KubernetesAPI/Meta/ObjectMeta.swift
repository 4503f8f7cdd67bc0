import Foundation

/// `metav1.ObjectMeta`: the metadata every persisted object carries.
public struct ObjectMeta: Codable, Hashable, Sendable {
    /// Unique within a namespace (or the cluster, for cluster-scoped kinds).
    public var name: String?
    /// Prefix the server completes into a unique name when `name` is empty.
    public var generateName: String?
    /// The namespace; nil for cluster-scoped objects.
    public var namespace: String?
    /// Server-assigned unique identifier.
    public var uid: String?
    /// Opaque version for optimistic concurrency and watch resume.
    public var resourceVersion: String?
    /// Sequence number of the desired state; bumped on spec changes.
    public var generation: Int64?
    /// When the object was created.
    public var creationTimestamp: KubeTime?
    /// When deletion was requested; set by the server only.
    public var deletionTimestamp: KubeTime?
    /// Grace period the deletion was requested with.
    public var deletionGracePeriodSeconds: Int64?
    /// Identifying key/value pairs, used by selectors.
    public var labels: [String: String]?
    /// Non-identifying key/value pairs.
    public var annotations: [String: String]?
    /// Objects this one depends on, for garbage collection.
    public var ownerReferences: [OwnerReference]?
    /// Keys that must be removed before the object is deleted.
    public var finalizers: [String]?
    /// Server-side apply field ownership, kept opaque. Sent when set, but never decoded from a
    /// response: no controller reads it, it is most of a typical object's metadata (decoding it
    /// was the largest item in the controller's idle CPU profile with 100 members), and a write
    /// without it keeps the server's entries. Read it as raw JSON when it is needed.
    public var managedFields: [JSONValue]?

    /// Creates metadata; usually only name, namespace and labels are given.
    public init(
        name: String? = nil, generateName: String? = nil, namespace: String? = nil, uid: String? = nil,
        resourceVersion: String? = nil, generation: Int64? = nil, creationTimestamp: KubeTime? = nil,
        deletionTimestamp: KubeTime? = nil, deletionGracePeriodSeconds: Int64? = nil,
        labels: [String: String]? = nil, annotations: [String: String]? = nil,
        ownerReferences: [OwnerReference]? = nil, finalizers: [String]? = nil, managedFields: [JSONValue]? = nil
    ) {
        self.name = name
        self.generateName = generateName
        self.namespace = namespace
        self.uid = uid
        self.resourceVersion = resourceVersion
        self.generation = generation
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
        self.deletionGracePeriodSeconds = deletionGracePeriodSeconds
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
        self.finalizers = finalizers
        self.managedFields = managedFields
    }

    /// Decodes every field but `managedFields` (see there).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        generateName = try c.decodeIfPresent(String.self, forKey: .generateName)
        namespace = try c.decodeIfPresent(String.self, forKey: .namespace)
        uid = try c.decodeIfPresent(String.self, forKey: .uid)
        resourceVersion = try c.decodeIfPresent(String.self, forKey: .resourceVersion)
        generation = try c.decodeIfPresent(Int64.self, forKey: .generation)
        creationTimestamp = try c.decodeIfPresent(KubeTime.self, forKey: .creationTimestamp)
        deletionTimestamp = try c.decodeIfPresent(KubeTime.self, forKey: .deletionTimestamp)
        deletionGracePeriodSeconds = try c.decodeIfPresent(Int64.self, forKey: .deletionGracePeriodSeconds)
        labels = try c.decodeIfPresent([String: String].self, forKey: .labels)
        annotations = try c.decodeIfPresent([String: String].self, forKey: .annotations)
        ownerReferences = try c.decodeIfPresent([OwnerReference].self, forKey: .ownerReferences)
        finalizers = try c.decodeIfPresent([String].self, forKey: .finalizers)
        managedFields = nil
    }

    /// True when `finalizer` is present.
    public func hasFinalizer(_ finalizer: String) -> Bool { finalizers?.contains(finalizer) ?? false }

    /// Adds a finalizer if absent; returns whether anything changed.
    @discardableResult
    public mutating func addFinalizer(_ finalizer: String) -> Bool {
        if hasFinalizer(finalizer) { return false }
        finalizers = (finalizers ?? []) + [finalizer]
        return true
    }

    /// Removes a finalizer if present; returns whether anything changed.
    @discardableResult
    public mutating func removeFinalizer(_ finalizer: String) -> Bool {
        guard hasFinalizer(finalizer) else { return false }
        finalizers = finalizers?.filter { $0 != finalizer }
        if finalizers?.isEmpty == true { finalizers = nil }
        return true
    }
}

/// `metav1.ListMeta`: the metadata of a list response.
public struct ListMeta: Codable, Hashable, Sendable {
    /// The revision the list was read at.
    public var resourceVersion: String?
    /// Token for the next page, when the list was paginated.
    public var `continue`: String?
    /// Estimated number of items after this page.
    public var remainingItemCount: Int64?

    /// Creates list metadata.
    public init(resourceVersion: String? = nil, continue: String? = nil, remainingItemCount: Int64? = nil) {
        self.resourceVersion = resourceVersion
        self.continue = `continue`
        self.remainingItemCount = remainingItemCount
    }
}

/// `metav1.OwnerReference`: a dependency on another object in the same namespace.
public struct OwnerReference: Codable, Hashable, Sendable {
    /// The owner's apiVersion.
    public var apiVersion: String
    /// The owner's kind.
    public var kind: String
    /// The owner's name.
    public var name: String
    /// The owner's uid.
    public var uid: String
    /// True for the managing controller.
    public var controller: Bool?
    /// In foreground deletion, the owner waits for this dependent.
    public var blockOwnerDeletion: Bool?

    /// Creates an owner reference.
    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil, blockOwnerDeletion: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}
