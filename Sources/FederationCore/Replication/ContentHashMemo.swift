import FederationAPI
import Foundation

/// Remembers content hashes by object uid and resourceVersion: a stored object's content never
/// changes without a new resourceVersion, so a pass hashes only what was written since the last.
///
/// Keeps the entries the latest pass used (``nextPass()`` drops the rest). Not thread-safe: one
/// planning pass at a time uses it.
public final class ContentHashMemo {
    private var current: [String: String] = [:]
    private var previous: [String: String] = [:]

    /// Creates an empty memo.
    public init() {}

    /// The hash of `object`'s content, from the memo when its uid and resourceVersion were seen.
    public func hash(_ object: JSONValue) -> String {
        guard let uid = object["metadata"]?["uid"]?.stringValue, let rv = ReplicaContent.resourceVersion(of: object) else {
            return ReplicaContent.hash(of: object)
        }
        let key = uid + "/" + rv
        if let known = current[key] ?? previous[key] {
            current[key] = known
            return known
        }
        let computed = ReplicaContent.hash(of: object)
        current[key] = computed
        return computed
    }

    /// Starts a new pass: entries not used since the previous call are dropped.
    public func nextPass() {
        previous = current
        current = [:]
    }

    /// Entries held.
    public var count: Int { current.count + previous.count }
}
