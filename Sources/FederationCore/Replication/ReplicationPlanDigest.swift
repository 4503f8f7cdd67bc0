import FederationAPI
import Foundation

/// A stable digest of a replication plan: FNV-1a (64 bits) over a canonical text of every target's
/// counts and effects, in order, with objects as compact sorted-key JSON. Equal plans give equal
/// digests in every process (unlike `hashValue`), so a benchmark run can show that a faster planner
/// decides exactly as before.
public enum ReplicationPlanDigest {
    /// The digest of `plans`, in order, as 16 hex digits.
    public static func digest(of plans: [ReplicationPlan]) -> String {
        var bytes: [UInt8] = []
        for plan in plans { append(plan, to: &bytes) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }

    /// The canonical text of `plan`, appended to `bytes`.
    static func append(_ plan: ReplicationPlan, to bytes: inout [UInt8]) {
        bytes += Array("plan \(plan.source) \(plan.epoch) \(plan.objects) \(plan.clock?.description ?? "-")\n".utf8)
        for target in plan.targets {
            bytes += Array("target \(target.datacenter) \(target.regionAllowed) \(target.allowedObjects) \(target.inSync) \(target.effects.count)\n".utf8)
            for effect in target.effects {
                bytes += Array(line(effect).utf8)
                if case .create(let write) = effect { CompactJSON.encode(write.object, into: &bytes) }
                if case .update(let write) = effect { CompactJSON.encode(write.object, into: &bytes) }
                bytes.append(UInt8(ascii: "\n"))
            }
        }
    }

    /// One effect without its object.
    static func line(_ effect: ReplicationEffect) -> String {
        switch effect {
        case .deleteOutsideResidency(let key): "deleteOutsideResidency \(key.apiVersion) \(key)"
        case .blocked(let key): "blocked \(key.apiVersion) \(key)"
        case .delete(let key): "delete \(key.apiVersion) \(key)"
        case .release(let key): "release \(key.apiVersion) \(key)"
        case .create(let write): "create \(text(write)) "
        case .update(let write): "update \(text(write)) "
        case .adopt(let adoption):
            "adopt \(adoption.key.apiVersion) \(adoption.key) \(adoption.annotations.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))"
        case .conflict(let c):
            "conflict \(c.datacenter) \(c.key.apiVersion) \(c.key) \(c.strategy.rawValue) \(c.outcome.rawValue) \(c.recordedHash ?? "-") \(c.replicaHash) "
                + "\(c.sourceChanged) \(c.otherRule ?? "-") \(c.onlyInTarget) \(c.deletedInTarget) \(c.laterWrite ?? "-")"
        }
    }

    /// A write's key, source write time, resolution flag and expected resourceVersion.
    static func text(_ write: ReplicaWrite) -> String {
        "\(write.key.apiVersion) \(write.key) \(write.sourceWrittenAt.map { "\($0.timeIntervalSince1970)" } ?? "-") \(write.clearResolution) \(write.expectedResourceVersion ?? "-")"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
