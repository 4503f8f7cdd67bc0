import FederationAPI
import Foundation

/// Remembers content hashes by object uid and resourceVersion: a stored object's content never
/// changes without a new resourceVersion, so a pass hashes only what was written since the last.
///
/// Keeps the entries the latest pass used: ``nextPass()`` drops the rest once they are as many as
/// those (a sweep per pass would cost as much as the pass). Not thread-safe: one planning pass at a
/// time uses it.
public final class ContentHashMemo {
    private struct Key: Hashable {
        let uid: String
        let resourceVersion: String
    }

    private struct Entry {
        let hash: String
        var pass: Int
    }

    /// The same rule's replicas found in sync, for ``planReplication(rule:source:sourceRegion:epoch:sources:targets:now:sourceWrittenAt:hash:sync:)``
    /// (kept here so that one lock guards both between passes).
    public let sync = ReplicaSyncMemo()

    private var entries: [Key: Entry] = [:]
    private var pass = 0
    private var used = 0

    /// Creates an empty memo.
    public init() {}

    /// The hash of `object`'s content, from the memo when its uid and resourceVersion were seen.
    public func hash(_ object: JSONValue) -> String {
        guard case .object(let fields) = object, case .object(let metadata)? = fields["metadata"],
            case .string(let uid)? = metadata["uid"], case .string(let rv)? = metadata["resourceVersion"]
        else {
            return ReplicaContent.hash(of: object)
        }
        let key = Key(uid: uid, resourceVersion: rv)
        if let index = entries.index(forKey: key) {
            if entries.values[index].pass != pass {
                entries.values[index].pass = pass
                used += 1
            }
            return entries.values[index].hash
        }
        let computed = ReplicaContent.hash(of: object)
        entries[key] = Entry(hash: computed, pass: pass)
        used += 1
        return computed
    }

    /// Starts a new pass: when the entries the pass just ended did not use are as many as those it
    /// used, they are dropped.
    public func nextPass() {
        let last = pass
        if entries.count - used >= used { entries = entries.filter { $0.value.pass == last } }
        pass += 1
        used = 0
    }

    /// Entries held.
    public var count: Int { entries.count }
}
