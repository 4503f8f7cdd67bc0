import ControllerRuntime
import FederationAPI
import Foundation

/// The ServiceFailover controller's metrics:
/// - `concord_failovers_total{service,from,to,reason}`: moves started (failovers, failbacks and
///   planned migrations);
/// - `concord_failover_duration_seconds{service}`: seconds from the start of a move to the traffic
///   switch, observed when it completes. Started minus completed is what the FailoverNotCompleted
///   alert watches.
/// - `concord_redistributions_total{service,reason}`: ActiveActive redistributions started, whose
///   `from` and `to` are whole placements (one series each would be unbounded), so they are not moves;
/// - `concord_redistribution_duration_seconds{service}`: seconds from the start of a redistribution to
///   its settling, observed when it settles (one overtaken by the next never settles).
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

    /// Counts an ActiveActive redistribution of `service` that started.
    func redistributionStarted(_ transition: FailoverTransition, service: String) {
        registry?.counter(
            "concord_redistributions_total", labels: [("service", service), ("reason", transition.reason)],
            help: "ActiveActive ServiceFailover redistributions started, by service and reason.").increment()
    }

    /// Records the duration of an ActiveActive redistribution of `service` that settled.
    func redistributionSettled(_ transition: FailoverTransition, service: String) {
        registry?.histogram(
            "concord_redistribution_duration_seconds", labels: [("service", service)], buckets: Self.durationBuckets,
            help: "Seconds from the start of an ActiveActive redistribution to its settling.").observe(transition.durationSeconds ?? 0)
    }

    /// Records the duration of a move of `service` that switched traffic.
    func completed(_ transition: FailoverTransition, service: String) {
        registry?.histogram(
            "concord_failover_duration_seconds", labels: [("service", service)], buckets: Self.durationBuckets,
            help: "Seconds from the start of a ServiceFailover move to the traffic switch.").observe(transition.durationSeconds ?? 0)
    }
}
