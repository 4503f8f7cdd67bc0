import FederationAPI
import Foundation

/// The replicated content of an object, and its hash.
///
/// The content is every top-level field but `apiVersion`, `kind`, `metadata` and `status`
/// (`data`, `spec`, `type`, …): what a person means by "the object". Metadata is not content:
/// labels and annotations are copied, but a member's own tooling may add its own, and server
/// noise (resourceVersion, managedFields, timestamps) differs in every cluster.
public enum ReplicaContent {
    /// True for the top-level fields that are never content: `apiVersion`, `kind`, `metadata` and `status`.
    static func isExcluded(field: String) -> Bool { field == "metadata" || field == "apiVersion" || field == "kind" || field == "status" }
    /// Annotations never copied to a replica: Concord's own and kubectl's client-side apply record.
    static let droppedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

    /// When the object was last written in its cluster: its latest managedFields time, else its creation.
    public static func writtenAt(of object: JSONValue) -> Date? {
        let times = (object["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { $0["time"]?.stringValue.flatMap { KubeTime(rfc3339: $0)?.date } }
        return times.max() ?? object["metadata"]?["creationTimestamp"]?.stringValue.flatMap { KubeTime(rfc3339: $0)?.date }
    }

    /// The content fields of `object`, sorted by key when encoded.
    public static func content(of object: JSONValue) -> JSONValue {
        .object((object.objectValue ?? [:]).filter { !isExcluded(field: $0.key) })
    }

    /// A 64-bit FNV-1a hash of the content's canonical JSON (sorted keys), as 16 hex digits.
    /// It detects change; it is not a security measure.
    public static func hash(of object: JSONValue) -> String {
        // The bytes of `CompactJSON.encode(content(of: object))`, written without copying the content.
        var json: [UInt8] = []
        json.reserveCapacity(512)
        json.append(UInt8(ascii: "{"))
        for (key, value) in (object.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) where !isExcluded(field: key) {
            if json.count > 1 { json.append(UInt8(ascii: ",")) }
            CompactJSON.encode(.string(key), into: &json)
            json.append(UInt8(ascii: ":"))
            CompactJSON.encode(value, into: &json)
        }
        json.append(UInt8(ascii: "}"))
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in json {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(unsafeUninitializedCapacity: 16) { digits in
            for index in 0..<16 { digits[index] = hexDigits[Int((hash >> UInt64(60 - 4 * index)) & 0xF)] }
            return 16
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The object's labels.
    public static func labels(of object: JSONValue) -> [String: String] {
        strings(object["metadata"]?["labels"])
    }

    /// The object's annotations.
    public static func annotations(of object: JSONValue) -> [String: String] {
        strings(object["metadata"]?["annotations"])
    }

    /// The annotations a replica copies from its source: all but Concord's and kubectl's apply record.
    public static func copiedAnnotations(of object: JSONValue) -> [String: String] {
        annotations(of: object).filter { !isDropped(annotation: $0.key) }
    }

    /// True for the annotations a replica never copies: Concord's own and kubectl's apply record.
    static func isDropped(annotation key: String) -> Bool { key.hasPrefix(FederationGroup.prefix) || key == droppedAnnotation }

    /// The labels a replica copies from its source: all of them.
    public static func copiedLabels(of object: JSONValue) -> [String: String] { labels(of: object) }

    /// True when every label and copied annotation of `source` is on `replica` with the same value.
    public static func metadataCopied(from source: JSONValue, to replica: JSONValue) -> Bool {
        let labels = replica["metadata"]?["labels"], annotations = replica["metadata"]?["annotations"]
        for (key, value) in source["metadata"]?["labels"]?.objectValue ?? [:] where labels?[key] != value { return false }
        for (key, value) in source["metadata"]?["annotations"]?.objectValue ?? [:] where annotations?[key] != value {
            if !isDropped(annotation: key) { return false }
        }
        return true
    }

    /// The replica to apply for `object`: its content, labels and copied annotations, plus `stamp`.
    public static func replica(of object: JSONValue, key: ReplicaKey, namespace: String?, stamp: [String: String]) -> JSONValue {
        var annotations = copiedAnnotations(of: object)
        annotations.merge(stamp) { _, new in new }
        var metadata: [String: JSONValue] = ["name": .string(key.name), "annotations": .object(annotations.mapValues { .string($0) })]
        if let namespace { metadata["namespace"] = .string(namespace) }
        let labels = copiedLabels(of: object)
        if !labels.isEmpty { metadata["labels"] = .object(labels.mapValues { .string($0) }) }
        var fields = content(of: object).objectValue ?? [:]
        fields["apiVersion"] = .string(key.apiVersion)
        fields["kind"] = .string(key.kind)
        fields["metadata"] = .object(metadata)
        return .object(fields)
    }

    /// `metadata.name`.
    public static func name(of object: JSONValue) -> String { object["metadata"]?["name"]?.stringValue ?? "" }

    /// `metadata.resourceVersion`.
    public static func resourceVersion(of object: JSONValue) -> String? { object["metadata"]?["resourceVersion"]?.stringValue }

    private static func strings(_ value: JSONValue?) -> [String: String] {
        (value?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
}

/// What Concord recorded on a replica when it last wrote it, read from its annotations.
public struct ReplicaStamp: Hashable, Sendable {
    /// `federation.concord.dev/rule`: the owning rule, `namespace/name`.
    public var rule: String?
    /// `source-datacenter`.
    public var sourceDatacenter: String?
    /// `source-revision`: the source object's resourceVersion that was copied.
    public var sourceRevision: String?
    /// `epoch`.
    public var epoch: Int64?
    /// `content-hash`: the content as Concord last wrote (or adopted) it.
    public var contentHash: String?
    /// `hlc`, as written.
    public var clockText: String?
    /// `hlc`, parsed.
    public var clock: HLCTimestamp? { clockText.flatMap { HLCTimestamp(annotation: $0) } }
    /// `resolution`: a person's decision on a Manual conflict.
    public var resolution: ConflictDecision?

    /// Only the `hlc` annotation of an object, if it holds a reading.
    public static func clock(of object: JSONValue) -> HLCTimestamp? {
        object["metadata"]?["annotations"]?[FederationAnnotation.hybridLogicalClock]?.stringValue.flatMap { HLCTimestamp(annotation: $0) }
    }

    /// Reads the stamp from an object's annotations.
    public init(of object: JSONValue) {
        let annotations = object["metadata"]?["annotations"]
        func a(_ key: String) -> String? { annotations?[key]?.stringValue }
        rule = a(FederationAnnotation.rule)
        sourceDatacenter = a(FederationAnnotation.sourceDatacenter)
        sourceRevision = a(FederationAnnotation.sourceRevision)
        epoch = a(FederationAnnotation.epoch).flatMap { Int64($0) }
        contentHash = a(FederationAnnotation.contentHash)
        clockText = a(FederationAnnotation.hybridLogicalClock)
        resolution = a(FederationAnnotation.resolution).flatMap { ConflictDecision(rawValue: $0) }
    }
}

/// A person's decision on a Manual conflict, set as the replica annotation `federation.concord.dev/resolution`.
public enum ConflictDecision: String, Hashable, Sendable, CaseIterable {
    /// Restore the source's content.
    case keepSource = "KeepSource"
    /// Keep the replica's local content.
    case keepTarget = "KeepTarget"
}

extension ReplicaContent {
    /// `applied` (a replica as a forced server-side apply left it) with its content replaced by
    /// `written`'s, when fields another field manager owns survived the apply so that the content no
    /// longer hashes as the stamp records (a key added by hand or by the member's tooling, `immutable`):
    /// the object to PUT over the applied version so the replica holds exactly the source's content.
    /// Nil when the applied content already is the source's. Metadata stays as applied.
    /// `hash` computes ``hash(of:)``.
    public static func replacingForeignContent(
        _ applied: JSONValue, with written: JSONValue, hash: (JSONValue) -> String = ReplicaContent.hash(of:)
    ) -> JSONValue? {
        guard case .object(var whole) = applied, case .object(let source) = written,
            let recorded = ReplicaStamp(of: written).contentHash, hash(applied) != recorded
        else { return nil }
        replaceContent(of: &whole, with: source)
        return .object(whole)
    }

    /// `object`'s content fields replaced by `source`'s: those `source` lacks removed.
    private static func replaceContent(of object: inout [String: JSONValue], with source: [String: JSONValue]) {
        for key in object.keys where !isExcluded(field: key) { object[key] = nil }
        for (key, value) in source where !isExcluded(field: key) { object[key] = value }
    }

    /// The object to PUT over `read` (a replica changed in its member, as a pass read it) so it holds
    /// `written`'s content exactly: `read`'s metadata with `written`'s labels and annotations (the
    /// stamp) laid over it, without `managedFields` (the member keeps its own), and `written`'s
    /// content in place of `read`'s. A forced apply would leave the content fields another field
    /// manager owns; a PUT the member refuses (an `immutable` object) changes nothing there.
    public static func restoring(_ read: JSONValue, to written: JSONValue) -> JSONValue? {
        guard case .object(var whole) = read, case .object(let source) = written, case .object(var metadata)? = whole["metadata"] else { return nil }
        for field in ["labels", "annotations"] {
            guard case .object(let laid)? = source["metadata"]?[field] else { continue }
            var merged = metadata[field]?.objectValue ?? [:]
            for (key, value) in laid { merged[key] = value }
            metadata[field] = .object(merged)
        }
        metadata["managedFields"] = nil
        whole["metadata"] = .object(metadata)
        replaceContent(of: &whole, with: source)
        return .object(whole)
    }
}
