import ControllerRuntime
import FederationAPI
import Foundation

/// The ServiceFailover controller's metrics:
/// - `concord_failovers_total{service,from,to,reason}`: completed moves (failovers, failbacks and
///   planned migrations), counted when traffic switched;
/// - `concord_failover_duration_seconds{service}`: seconds from the start of a move to the traffic switch.
struct FailoverMetrics: Sendable {
    let registry: MetricsRegistry?

    /// Buckets of the duration histogram: a failover at defaults takes a few seconds; a migration may take minutes.
    static let durationBuckets: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300]

    /// Records a completed `transition` of `service` (`namespace/name`).
    func completed(_ transition: FailoverTransition, service: String) {
        guard let registry else { return }
        registry.counter(
            "concord_failovers_total", labels: [("service", service), ("from", transition.from ?? ""), ("to", transition.to), ("reason", transition.reason)],
            help: "ServiceFailover moves that switched traffic, by service, datacenters and reason.").increment()
        registry.histogram(
            "concord_failover_duration_seconds", labels: [("service", service)], buckets: Self.durationBuckets,
            help: "Seconds from the start of a ServiceFailover move to the traffic switch.").observe(transition.durationSeconds ?? 0)
    }
}
