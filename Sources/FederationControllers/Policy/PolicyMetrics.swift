import ControllerRuntime
import FederationAPI
import Synchronization

/// The FederationPolicy controller's metrics, computed from the informer cache at each scrape
/// (what `status` says, so they agree with `kubectl get fp`):
/// - `concord_federation_epoch{policy}`: the epoch in force (0 before the first primary);
/// - `concord_federation_split_brain{policy}`: 1 while `SplitBrainDetected` is True;
/// - `concord_federation_promotion_blocked{policy}`: 1 while `Ready` is False because a needed promotion
///   cannot happen (QuorumLost, NoEligibleCandidate, AwaitingManualPromotion, PrimaryNotMember,
///   PrimaryUnschedulable, PrimaryNotReady). A split brain is reported by its own series.
enum PolicyMetrics {
    /// The `Ready` reasons that mean a promotion is needed and blocked.
    static let blockingReasons: Set<String> = {
        typealias R = FederationPolicy.Reason
        return [R.quorumLost, R.noEligibleCandidate, R.awaitingManualPromotion, R.primaryNotMember, R.primaryUnschedulable, R.primaryNotReady]
    }()

    /// Refreshes the series before every scrape; a deleted policy's series are removed.
    static func install(registry: MetricsRegistry?, cache: InformerCache<FederationPolicy>) {
        guard let registry else { return }
        let exported = Mutex<Set<String>>([])
        registry.onCollect {
            let policies = cache.list()
            let names = Set(policies.compactMap(\.metadata.name))
            for gone in exported.withLock({ $0.subtracting(names) }) {
                for gauge in gauges(registry, gone) { registry.remove(gauge) }
            }
            exported.withLock { $0 = names }
            for policy in policies {
                guard let name = policy.metadata.name else { continue }
                let values = series(of: policy)
                let g = gauges(registry, name)
                g[0].set(values.epoch)
                g[1].set(values.splitBrain)
                g[2].set(values.blocked)
            }
        }
    }

    /// The epoch, split brain and promotion-blocked values of one policy's status.
    static func series(of policy: FederationPolicy) -> (epoch: Double, splitBrain: Double, blocked: Double) {
        let conditions = policy.status?.conditions ?? []
        let splitBrain = conditions.condition(FederationPolicy.ConditionType.splitBrainDetected)?.status == .true
        let ready = conditions.condition(FederationPolicy.ConditionType.ready)
        let blocked = ready?.status == .false && blockingReasons.contains(ready?.reason ?? "")
        return (Double(policy.status?.epoch ?? 0), splitBrain ? 1 : 0, blocked ? 1 : 0)
    }

    private static func gauges(_ registry: MetricsRegistry, _ policy: String) -> [MetricGauge] {
        let labels = [("policy", policy)]
        return [
            registry.gauge("concord_federation_epoch", labels: labels, help: "The FederationPolicy's epoch in force."),
            registry.gauge("concord_federation_split_brain", labels: labels, help: "1 while the FederationPolicy reports SplitBrainDetected."),
            registry.gauge("concord_federation_promotion_blocked", labels: labels, help: "1 while a needed promotion of the FederationPolicy is blocked (see its Ready condition)."),
        ]
    }
}
