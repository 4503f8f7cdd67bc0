import FederationAPI
import Foundation

/// Recognises a member's watch event that only echoes Concord's own replica write, so the
/// ReplicationRule controller need not plan a pass for it (the write's lane wakes the rule when it
/// ends). Anything else — a source change, a local edit of a replica, a deletion — is news.
public enum ReplicaEcho {
    /// True when `object` is exactly what Concord last wrote for `rule` (`namespace/name`): it carries
    /// the rule's stamp and no person's resolution, its content still hashes to the stamp's
    /// `content-hash`, and no field manager but `fieldManager` wrote it at or after Concord's latest
    /// write (managedFields times have whole seconds, so a write in the same second is news).
    public static func isOwnWrite(_ object: JSONValue, rule: String, fieldManager: String, hash: (JSONValue) -> String = ReplicaContent.hash(of:)) -> Bool {
        let stamp = ReplicaStamp(of: object)
        guard stamp.rule == rule, stamp.resolution == nil, let written = stamp.contentHash else { return false }
        var own: Date?, others: Date?
        for entry in object["metadata"]?["managedFields"]?.arrayValue ?? [] {
            guard let time = entry["time"]?.stringValue.flatMap({ KubeTime(rfc3339: $0)?.date }) else { return false }
            if entry["manager"]?.stringValue == fieldManager { own = max(own ?? time, time) } else { others = max(others ?? time, time) }
        }
        guard let own, others.map({ $0 < own }) ?? true else { return false }
        return hash(object) == written
    }
}
