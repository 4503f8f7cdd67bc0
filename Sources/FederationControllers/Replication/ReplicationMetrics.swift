import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import Synchronization

/// The ReplicationRule controller's metrics:
/// - `concord_replication_conflicts_total{rule,datacenter}`: conflicts detected (each counted once);
/// - `concord_replication_lag_seconds{rule,source_dc,target_dc}`: per target, the latest lag from a
///   source write to the acknowledged replica write (0 once a pass finds nothing to write there); a
///   series ends with its rule, its source or its target;
/// - `concord_replication_passes_total{rule,read}`: HubAndSpoke passes planned, by what the planner
///   read: `changes` (only the keys changed in the member caches since the previous pass) or `whole`
///   (every object: the first pass, a changed rule, source or kind, a relist, or more changes than a
///   cache keeps between two passes);
/// - `concord_replication_status_writes_total{rule}`: status writes (a change at once, progress alone
///   at most every ``FederationCore/ReplicationStatusWrite/progressRefreshSeconds``).
struct ReplicationMetrics: Sendable {
    let registry: MetricsRegistry?
    /// The lag series set, by rule: `[source, target]`.
    private let series = LagSeries()

    init(registry: MetricsRegistry?) {
        self.registry = registry
    }

    /// Counts conflicts newly detected by `rule` (`namespace/name`).
    func conflicts(_ findings: [ConflictFinding], rule: String) {
        guard let registry else { return }
        for finding in findings {
            registry.counter(
                "concord_replication_conflicts_total", labels: [("rule", rule), ("datacenter", finding.datacenter)],
                help: "Replicas found changed in their own datacenter since Concord wrote them.").increment()
        }
    }

    /// Sets the lag of every Synced target of `rule` reading from `source`, and removes the series of
    /// targets the rule no longer has and of an earlier source.
    func lags(_ targets: [ReplicationTargetStatus], rule: String, source: String) {
        guard let registry else { return }
        for target in targets where target.state == .synced {
            gauge(registry, rule: rule, source: source, target: target.datacenter).set(target.lagSeconds ?? 0)
        }
        let current = Set(targets.map { [source, $0.datacenter] })
        let gone = series.state.withLock { all in
            let gone = (all[rule] ?? []).subtracting(current)
            all[rule] = (all[rule] ?? []).subtracting(gone).union(targets.filter { $0.state == .synced }.map { [source, $0.datacenter] })
            return gone
        }
        for labels in gone { registry.remove(gauge(registry, rule: rule, source: labels[0], target: labels[1])) }
    }

    /// Counts a HubAndSpoke pass of `rule` that read only the changes (`fed`) or everything.
    func pass(rule: String, fed: Bool) {
        registry?.counter(
            "concord_replication_passes_total", labels: [("rule", rule), ("read", fed ? "changes" : "whole")],
            help: "ReplicationRule passes planned, by whether the planner read only what changed since the previous pass or every object.").increment()
    }

    /// Counts a status write of `rule`.
    func statusWritten(rule: String) {
        registry?.counter(
            "concord_replication_status_writes_total", labels: [("rule", rule)],
            help: "ReplicationRule status writes: at once on a change, progress alone at most every 5 s.").increment()
    }

    /// Removes every lag series of a deleted rule.
    func forget(rule: String) {
        guard let registry else { return }
        let gone = series.state.withLock { $0.removeValue(forKey: rule) ?? [] }
        for labels in gone { registry.remove(gauge(registry, rule: rule, source: labels[0], target: labels[1])) }
    }

    private func gauge(_ registry: MetricsRegistry, rule: String, source: String, target: String) -> MetricGauge {
        registry.gauge(
            "concord_replication_lag_seconds", labels: [("rule", rule), ("source_dc", source), ("target_dc", target)],
            help: "Seconds from a source write to the acknowledged replica write, latest per target.")
    }
}

/// The lag series a ``ReplicationMetrics`` has set, by rule.
final class LagSeries: Sendable {
    let state = Mutex<[String: Set<[String]>]>([:])
}
