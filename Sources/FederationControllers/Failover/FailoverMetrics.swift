import ControllerRuntime
import FederationAPI
import Foundation

/// The ServiceFailover controller's metrics:
/// - `concord_failovers_total{service,from,to,reason}`: moves started (failovers, failbacks and
///   planned migrations);
/// - `concord_failover_duration_seconds{service}`: seconds from the start of a move to the traffic
///   switch, observed when it completes. Started minus completed is what the FailoverNotCompleted
///   alert watches.
struct FailoverMetrics: Sendable {
    let registry: MetricsRegistry?

    /// Buckets of the duration histogram: a failover at defaults takes a few seconds; a migration may take minutes.
    static let durationBuckets: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300]

    /// Counts a move of `service` (`namespace/name`) that started.
    func started(_ transition: FailoverTransition, service: String) {
        registry?.counter(
            "concord_failovers_total", labels: [("service", service), ("from", transition.from ?? ""), ("to", transition.to), ("reason", transition.reason)],
            help: "ServiceFailover moves started, by service, datacenters and reason.").increment()
    }

    /// Records the duration of a move of `service` that switched traffic.
    func completed(_ transition: FailoverTransition, service: String) {
        registry?.histogram(
            "concord_failover_duration_seconds", labels: [("service", service)], buckets: Self.durationBuckets,
            help: "Seconds from the start of a ServiceFailover move to the traffic switch.").observe(transition.durationSeconds ?? 0)
    }
}
