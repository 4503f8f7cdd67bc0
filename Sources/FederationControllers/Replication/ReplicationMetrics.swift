import ControllerRuntime
import FederationCore
import Foundation

/// The ReplicationRule controller's metrics:
/// - `concord_replication_conflicts_total{rule,datacenter}`: conflicts detected (each counted once);
/// - `concord_replication_lag_seconds{rule,source_dc,target_dc}`: per target, the latest lag from a
///   source write to the acknowledged replica write.
struct ReplicationMetrics: Sendable {
    let registry: MetricsRegistry?

    /// Counts conflicts newly detected by `rule` (`namespace/name`).
    func conflicts(_ findings: [ConflictFinding], rule: String) {
        guard let registry else { return }
        for finding in findings {
            registry.counter(
                "concord_replication_conflicts_total", labels: [("rule", rule), ("datacenter", finding.datacenter)],
                help: "Replicas found changed in their own datacenter since Concord wrote them.").increment()
        }
    }

    /// Sets the lag of `target` for `rule` reading from `source`.
    func lag(_ seconds: Double, rule: String, source: String, target: String) {
        registry?.gauge(
            "concord_replication_lag_seconds", labels: [("rule", rule), ("source_dc", source), ("target_dc", target)],
            help: "Seconds from a source write to the acknowledged replica write, latest per target.").set(seconds)
    }
}
