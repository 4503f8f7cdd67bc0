import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import Synchronization

/// The ReplicationRule controller's metrics:
/// - `concord_replication_conflicts_total{rule,datacenter}`: conflicts detected (each counted once);
/// - `concord_replication_lag_seconds{rule,source_dc,target_dc}`: per target, the latest lag from a
///   source write to the acknowledged replica write (0 once a pass finds nothing to write there); for
///   a HubAndSpoke rule's target Unreachable or Failed, the time since the oldest source write it lacks, computed at
///   each scrape, so it grows while the target cannot be written (0 when the source wrote nothing
///   since it was last in sync); a series ends with its rule, its source or its target;
/// - `concord_replication_passes_total{rule,read}`: HubAndSpoke passes planned, by what the planner
///   read: `changes` (only the keys changed in the member caches since the previous pass) or `whole`
///   (every object: the first pass, a changed rule, source or kind, a relist, or more changes than a
///   cache keeps between two passes);
/// - `concord_replication_status_writes_total{rule}`: status writes (a change at once, progress alone
///   at most every ``FederationCore/ReplicationStatusWrite/progressRefreshSeconds``).
struct ReplicationMetrics: Sendable {
    let registry: MetricsRegistry?
    /// The lag series set, by rule: `[source, target]`, and the targets waiting for the source.
    private let series = LagSeries()
    private let now: @Sendable () -> Date

    init(registry: MetricsRegistry?, now: @escaping @Sendable () -> Date = { Date() }) {
        self.registry = registry
        self.now = now
        guard let registry else { return }
        registry.onCollect { [series] in
            let at = now()
            // Under the lock, so a rule forgotten meanwhile gets no series back.
            series.waits.withLock { all in
                for (rule, waits) in all {
                    for (target, wait) in waits {
                        Self.gauge(registry, rule: rule, source: wait.source, target: target).set(max(0, at.timeIntervalSince(wait.since)))
                    }
                }
            }
        }
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

    /// Sets the lag of every Synced target of `rule` reading from `source`, and of every Unreachable or
    /// Failed one: from `waiting[target]` (``FederationCore/ReplicationWait/oldestWrite(after:in:)``)
    /// at each scrape; for those in `sinceFirstSeen` (never found in sync: the oldest write they lack is
    /// unknown), from the first pass that found them waiting; 0 for the others (nothing written since
    /// they were in sync). Removes the series of targets the rule no longer has and of an earlier source.
    func lags(_ targets: [ReplicationTargetStatus], rule: String, source: String, waiting: [String: Date] = [:], sinceFirstSeen: Set<String> = []) {
        guard let registry else { return }
        let at = now()
        for target in targets where target.state == .synced {
            Self.gauge(registry, rule: rule, source: source, target: target.datacenter).set(target.lagSeconds ?? 0)
        }
        let stuck = targets.filter { $0.state == .unreachable || $0.state == .failed }.map(\.datacenter)
        let waits = series.waits.withLock { all in
            let before = all[rule] ?? [:]
            var waits: [String: LagSeries.Wait] = [:]
            for target in stuck {
                if let since = waiting[target] {
                    waits[target] = LagSeries.Wait(source: source, since: since)
                } else if sinceFirstSeen.contains(target) {
                    waits[target] = before[target].flatMap { $0.source == source ? $0 : nil } ?? LagSeries.Wait(source: source, since: at)
                }
            }
            all[rule] = waits.isEmpty ? nil : waits
            return waits
        }
        for target in stuck {
            let lag = waits[target].map { max(0, at.timeIntervalSince($0.since)) } ?? 0
            Self.gauge(registry, rule: rule, source: source, target: target).set(lag)
        }
        let current = Set(targets.map { [source, $0.datacenter] })
        let set = targets.filter { $0.state == .synced }.map { [source, $0.datacenter] } + stuck.map { [source, $0] }
        let gone = series.state.withLock { all in
            let gone = (all[rule] ?? []).subtracting(current)
            all[rule] = (all[rule] ?? []).subtracting(gone).union(set)
            return gone
        }
        for labels in gone { registry.remove(Self.gauge(registry, rule: rule, source: labels[0], target: labels[1])) }
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
        series.waits.withLock { _ = $0.removeValue(forKey: rule) }
        let gone = series.state.withLock { $0.removeValue(forKey: rule) ?? [] }
        for labels in gone { registry.remove(Self.gauge(registry, rule: rule, source: labels[0], target: labels[1])) }
    }

    private static func gauge(_ registry: MetricsRegistry, rule: String, source: String, target: String) -> MetricGauge {
        registry.gauge(
            "concord_replication_lag_seconds", labels: [("rule", rule), ("source_dc", source), ("target_dc", target)],
            help: "Seconds from a source write to the acknowledged replica write, latest per target; for a target that cannot be written, since the oldest source write it lacks.")
    }
}

/// The lag series a ``ReplicationMetrics`` has set, by rule, and the targets waiting for the source.
final class LagSeries: Sendable {
    /// A target that cannot be written, waiting for the source's writes since `since`.
    struct Wait: Sendable {
        let source: String
        let since: Date
    }

    let state = Mutex<[String: Set<[String]>]>([:])
    /// Per rule, the Unreachable or Failed targets waiting for a source write, by datacenter.
    let waits = Mutex<[String: [String: Wait]]>([:])
}
