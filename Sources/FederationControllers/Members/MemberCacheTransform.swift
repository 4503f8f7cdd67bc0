import FederationAPI
import KubernetesAPI
import Synchronization

/// How member objects are kept in the controller's unstructured caches, which hold every object a
/// ReplicationRule reads in every datacenter (the source's objects and each target's replicas).
///
/// - Each `metadata.managedFields` entry keeps who wrote it, how and when (`manager`, `operation`,
///   `subresource`, `apiVersion`, `time`: what the replication planner reads: whether Concord wrote last, and when) but not its
///   field set (`fieldsV1`), typically the largest part of a small object's metadata.
/// - Objects whose `managedFields` lists come out equal (the same writers in the same second, as when
///   a rule copies many objects) share one copy of the list, and objects with equal labels one copy
///   of the map, as long as the value was seen among the latest 4,096 distinct ones (``shared(_:)``).
/// - kubectl's client-side apply record (`kubectl.kubernetes.io/last-applied-configuration`, a second
///   copy of the whole object as text) is dropped: no copy Concord makes carries it, and nothing
///   else reads it.
/// - The metadata and annotation keys Concord stamps on every replica share one copy across objects
///   instead of one per object.
/// - A copy Concord stamped with `source-datacenter` shares the storage of every top-level field
///   (`data`, `spec`, …), and of its labels, equal to those of the object of its name in that
///   member's cache (``compact(_:source:)``): a replicated object's content is held once, not once per member.
///
/// Nothing the controller reads is lost; an object read from these caches is never written back
/// as it is (replicas are built from the source's content), so the trimmed field sets never reach
/// a server.
enum MemberCacheTransform {
    /// `object` as the caches keep it. `source(datacenter, name)` is the object named `name` that the
    /// cache of the same kind and namespace in member `datacenter` holds, if any.
    static func compact(_ object: JSONValue, source: (_ datacenter: String, _ name: String) -> JSONValue? = { _, _ in nil }) -> JSONValue {
        guard case .object(var root) = object, case .object(let metadata)? = root.removeValue(forKey: "metadata") else { return object }
        var kept = [String: JSONValue](minimumCapacity: metadata.count)
        for (key, value) in metadata {
            switch key {
            case "managedFields":
                kept[key] = value.arrayValue.map { shared(.array($0.map(writerOnly))) } ?? value
            case "annotations":
                kept[key] = value.objectValue.map { .object(sharingKeys($0.filter { $0.key != lastApplied })) } ?? value
            case "labels":
                kept[key] = value.objectValue.map { shared(.object(sharingKeys($0))) } ?? value
            default:
                kept[sharedKeys[key] ?? key] = value
            }
        }
        if case .string(let datacenter)? = kept["annotations"]?[FederationAnnotation.sourceDatacenter], case .string(let name)? = kept["name"],
            case .object(let original)? = source(datacenter, name)
        {
            for (key, value) in root where key != "status" {
                if let shared = original[key], shared == value { root[key] = shared }
            }
            if let labels = original["metadata"]?["labels"], labels == kept["labels"] { kept["labels"] = labels }
        }
        root["metadata"] = .object(kept)
        return .object(root)
    }

    /// kubectl's client-side apply record, which the caches drop.
    static let lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

    /// The member caches' index of replicas by the ReplicationRule that stamped them (`namespace/name`).
    static let ruleIndex = FederationAnnotation.rule

    /// The `federation.concord.dev/rule` stamp of `object`, as index values.
    @Sendable static func rule(of object: JSONValue) -> [String] {
        object["metadata"]?["annotations"]?[FederationAnnotation.rule]?.stringValue.map { [$0] } ?? []
    }

    /// The most distinct values ``shared(_:)`` remembers before it starts afresh.
    static let recentValuesLimit = 4_096

    /// Writer lists and label maps seen lately, each kept once.
    private static let recentValues = Mutex<[JSONValue: JSONValue]>([:])

    /// `value` (a compacted managedFields list or a label map), or an equal (`==`) value seen lately, whose
    /// storage it then shares. Once ``recentValuesLimit`` distinct values are remembered they are
    /// forgotten and sharing starts afresh (objects keep the copies they hold).
    static func shared(_ value: JSONValue) -> JSONValue {
        recentValues.withLock { recent in
            if let kept = recent[value] { return kept }
            if recent.count >= recentValuesLimit { recent.removeAll(keepingCapacity: true) }
            recent[value] = value
            return value
        }
    }

    /// A managedFields entry without its field set.
    private static func writerOnly(_ entry: JSONValue) -> JSONValue {
        guard case .object(let fields) = entry else { return entry }
        var kept = [String: JSONValue](minimumCapacity: fields.count)
        for (key, value) in fields where key != "fieldsV1" && key != "fieldsType" { kept[key] = value }
        return .object(kept)
    }

    /// `map` with its well-known keys replaced by their shared copies.
    private static func sharingKeys(_ map: [String: JSONValue]) -> [String: JSONValue] {
        var shared = [String: JSONValue](minimumCapacity: map.count)
        for (key, value) in map { shared[sharedKeys[key] ?? key] = value }
        return shared
    }

    /// Keys longer than a string kept inline (15 UTF-8 bytes) that recur on every object the caches hold.
    private static let sharedKeys: [String: String] = Dictionary(
        uniqueKeysWithValues: [
            "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
            FederationAnnotation.sourceDatacenter, FederationAnnotation.sourceRevision, FederationAnnotation.epoch,
            FederationAnnotation.contentHash, FederationAnnotation.rule, FederationAnnotation.hybridLogicalClock,
            FederationAnnotation.resolution, FederationLabel.residency, FederationLabel.managed, FederationLabel.serviceFailover,
        ].map { ($0, $0) })
}
