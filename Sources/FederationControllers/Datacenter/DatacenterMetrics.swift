import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

/// The Datacenter controller's federation metrics:
/// - `concord_datacenters{phase}`: Datacenters per phase, counted from the informer cache at each scrape;
/// - `concord_probe_latency_seconds{datacenter}`: round trips of successful health probes;
/// - `concord_member_circuit_state{datacenter}`: the member client's circuit breaker after each
///   probe: 0 closed, 1 open, 2 half-open.
struct DatacenterMetrics: Sendable {
    let registry: MetricsRegistry?

    /// Probe latency buckets: 1 ms … 10 s.
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    init(registry: MetricsRegistry?, cache: InformerCache<Datacenter>) {
        self.registry = registry
        guard let registry else { return }
        let gauges = Dictionary(uniqueKeysWithValues: DatacenterPhase.allCases.map { phase in
            (phase, registry.gauge("concord_datacenters", labels: [("phase", phase.rawValue)], help: "Datacenters per phase."))
        })
        registry.onCollect {
            var counts: [DatacenterPhase: Int] = [:]
            for dc in cache.list() { counts[dc.status?.phase ?? .pending, default: 0] += 1 }
            for (phase, gauge) in gauges { gauge.set(Double(counts[phase] ?? 0)) }
        }
    }

    /// Records a finished probe of `datacenter`.
    func probed(_ datacenter: String, _ result: ProbeResult) {
        guard let registry, case .success(let latency?, _) = result else { return }
        histogram(registry, datacenter).observe(latency)
    }

    /// Records the circuit breaker phase of `datacenter`'s client (nil: no breaker, nothing recorded).
    func circuit(_ datacenter: String, _ phase: CircuitBreakerState.Phase?) {
        guard let registry, let phase else { return }
        let value: Double
        switch phase {
        case .closed: value = 0
        case .open: value = 1
        case .halfOpen: value = 2
        }
        circuitGauge(registry, datacenter).set(value)
    }

    /// Drops the series of a deleted datacenter.
    func forget(_ datacenter: String) {
        guard let registry else { return }
        registry.remove(histogram(registry, datacenter))
        registry.remove(circuitGauge(registry, datacenter))
    }

    private func circuitGauge(_ registry: MetricsRegistry, _ datacenter: String) -> MetricGauge {
        registry.gauge("concord_member_circuit_state", labels: [("datacenter", datacenter)], help: "Circuit breaker of the member's client: 0 closed, 1 open, 2 half-open.")
    }

    private func histogram(_ registry: MetricsRegistry, _ datacenter: String) -> MetricHistogram {
        registry.histogram("concord_probe_latency_seconds", labels: [("datacenter", datacenter)], buckets: Self.latencyBuckets, help: "Round trip of successful datacenter health probes.")
    }
}
