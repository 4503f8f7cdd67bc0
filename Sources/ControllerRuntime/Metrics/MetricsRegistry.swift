import Foundation
import Prometheus
import Synchronization

/// A registry of Prometheus metrics, served as text at `/metrics`.
///
/// Callers outside ControllerRuntime (the federation controllers) get small handle types, so
/// they need no metrics library of their own. Collect hooks run before every scrape, for gauges
/// computed from state (counts of cached objects by phase, say).
public final class MetricsRegistry: Sendable {
    private let registry = PrometheusCollectorRegistry()
    private let hooks = Mutex<[@Sendable () -> Void]>([])

    /// Creates an empty registry.
    public init() {}

    /// A counter (the name should end in `_total`).
    public func counter(_ name: String, labels: [(String, String)] = [], help: String) -> MetricCounter {
        MetricCounter(registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels))
    }

    /// A gauge.
    public func gauge(_ name: String, labels: [(String, String)] = [], help: String) -> MetricGauge {
        MetricGauge(registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels))
    }

    /// A histogram of values (seconds, for durations) with upper bucket bounds `buckets`.
    public func histogram(_ name: String, labels: [(String, String)] = [], buckets: [Double], help: String) -> MetricHistogram {
        MetricHistogram(registry.makeValueHistogram(descriptor: Self.descriptor(name, help), labels: labels, buckets: buckets))
    }

    /// Removes a histogram (a deleted object's series).
    public func remove(_ histogram: MetricHistogram) { registry.unregisterValueHistogram(histogram.base) }

    /// Removes a gauge (a deleted object's series).
    public func remove(_ gauge: MetricGauge) { registry.unregisterGauge(gauge.base) }

    /// Registers work to run before every scrape (to refresh computed gauges).
    public func onCollect(_ hook: @escaping @Sendable () -> Void) { hooks.withLock { $0.append(hook) } }

    /// Every metric in the Prometheus text exposition format (version 0.0.4).
    public func exposition() -> String {
        for hook in hooks.withLock({ $0 }) { hook() }
        return registry.emitToString()
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}

/// A monotonically increasing count.
public struct MetricCounter: Sendable {
    let base: Counter
    init(_ base: Counter) { self.base = base }
    /// Adds `amount` (default 1).
    public func increment(by amount: Double = 1) { base.increment(by: amount) }
}

/// A value that goes up and down.
public struct MetricGauge: Sendable {
    let base: Gauge
    init(_ base: Gauge) { self.base = base }
    /// Sets the value.
    public func set(_ value: Double) { base.set(to: value) }
    /// Adds `delta` (negative to subtract).
    public func add(_ delta: Double) { base.increment(by: delta) }
}

/// A distribution of observed values.
public struct MetricHistogram: Sendable {
    let base: ValueHistogram
    init(_ base: ValueHistogram) { self.base = base }
    /// Records one value.
    public func observe(_ value: Double) { base.record(value) }
    /// Records a duration in seconds.
    public func observe(_ duration: Duration) { base.record(duration.inSeconds) }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var inSeconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
