import Foundation

extension ReplicationPlan {
    /// The plan with each write's lag measured from no earlier than `notBefore[datacenter]`: the read
    /// of the last pass that found that target in sync. Whatever a write mends there (a source write,
    /// a replica a person deleted, a restamp after a promotion) happened after that read, so a write
    /// never reports lag from a source write the target had already caught up with.
    public func measuringLag(notBefore: [String: Date]) -> ReplicationPlan {
        var plan = self
        for t in plan.targets.indices {
            guard let floor = notBefore[plan.targets[t].datacenter] else { continue }
            plan.targets[t].effects = plan.targets[t].effects.map { effect in
                switch effect {
                case .create(var write):
                    write.sourceWrittenAt = write.sourceWrittenAt.map { max($0, floor) }
                    return .create(write)
                case .update(var write):
                    write.sourceWrittenAt = write.sourceWrittenAt.map { max($0, floor) }
                    return .update(write)
                default:
                    return effect
                }
            }
        }
        return plan
    }
}

/// How long a target that cannot be written has waited for the source: the lag a target out of
/// reach (or refusing writes) has built up, which no acknowledged write measures.
public enum ReplicationWait {
    /// The earliest of `writtenAt` (each source object's last write) later than `floor` (the read of
    /// the last pass that found the target in sync): when the oldest source write the target lacks was
    /// made; nil when the source wrote nothing since. An object written twice since counts at its
    /// latest write, and times are whole seconds, so a write in the same second as `floor` is not counted.
    public static func oldestWrite(after floor: Date, in writtenAt: [ReplicaKey: Date]) -> Date? {
        var oldest: Date?
        for date in writtenAt.values where date > floor {
            if let earlier = oldest, earlier <= date { continue }
            oldest = date
        }
        return oldest
    }
}
