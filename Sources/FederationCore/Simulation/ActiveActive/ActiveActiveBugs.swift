import FederationAPI
import Foundation

/// Deliberately broken ActiveActive planners, each the real one with one mistake.
enum ActiveActiveBugs {
    /// Divides as if every datacenter had unbounded capacity and no `maxReplicasPerDatacenter`.
    static let overcommitting: ActiveActiveRule = { input in
        var believed = input
        for name in believed.sites.keys { believed.sites[name]?.capacityReplicas = nil }
        believed.spec.placement?.maxReplicasPerDatacenter = nil
        return planActiveActive(believed)
    }

    /// Believes every reachable datacenter already runs all its new share ready, so the ones that
    /// lose replicas scale down in the pass that scales the others up.
    static let scalingDownFirst: ActiveActiveRule = { input in
        var believed = input
        for name in believed.sites.keys where input.reachable(name) { believed.sites[name]?.readyReplicas = 1_000 }
        return planActiveActive(believed)
    }

    /// Treats a datacenter that is Ready as healthy for ever, so a returning one gets its share at once.
    static let rebalancingEarly: ActiveActiveRule = { input in
        var believed = input
        for name in believed.sites.keys where believed.sites[name]?.phase == .ready { believed.sites[name]?.readySince = .distantPast }
        return planActiveActive(believed)
    }
}
