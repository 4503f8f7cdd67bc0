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
