import FederationAPI
import Foundation

/// Deliberately broken ServiceFailover planners and executor, each the real one with one mistake.
enum ServiceBugs {
    /// Believes the target of a move in flight already runs all its replicas, so traffic switches
    /// before any is ready.
    static let switchingBeforeReady: ServiceRule = { input in
        guard let move = input.status?.lastTransition, move.completedAt == nil else { return planService(input) }
        var believed = input
        believed.sites[move.to]?.readyReplicas = input.replicas(in: move.to)
        return planService(believed)
    }

    /// Checks fit without cordons and capacity: a cordoned or full datacenter becomes a target.
    static let evictingWithoutFit: ServiceRule = { input in
        var believed = input
        for name in believed.sites.keys {
            believed.sites[name]?.unschedulable = false
            believed.sites[name]?.capacityReplicas = nil
        }
        return planService(believed)
    }

    /// Treats a primary that is Ready as healthy for ever, so automatic failback ignores the window.
    static let failingBackEarly: ServiceRule = { input in
        var believed = input
        if believed.sites[input.spec.primary]?.phase == .ready { believed.sites[input.spec.primary]?.readySince = .distantPast }
        return planService(believed)
    }

    /// After a failover, fails over again as soon as a datacenter earlier in the failover list is
    /// Ready, although the one serving is healthy (one incident, several transitions).
    static let preferringEarlierTargets: ServiceRule = { input in
        let plan = planService(input)
        let active = input.active
        guard plan.status.lastTransition == input.status?.lastTransition, plan.status.lastTransition?.completedAt != nil,
            let index = input.spec.failover.firstIndex(where: { $0.datacenter == active }),
            input.spec.failover[..<index].contains(where: { input.sites[$0.datacenter]?.phase == .ready })
        else { return plan }
        var believed = input
        believed.sites[active]?.phase = .unreachable
        believed.sites[active]?.unhealthySince = .distantPast
        return planService(believed)
    }

    /// An executor that scales sites to 0 before it switches traffic.
    static let scalingDownBeforeSwitching = ServiceExecutionRule(order: { effects in
        func down(_ effect: ServiceEffect) -> Bool { if case .scale(_, 0) = effect { true } else { false } }
        return effects.filter(down) + effects.filter { !down($0) }
    })
}
