import Foundation
import KubeClient
import KubernetesAPI

/// The metrics controller-runtime exports by default, with its names and labels:
/// - `controller_runtime_reconcile_total{controller,result}` (result: success, error, requeue, requeue_after),
///   `controller_runtime_reconcile_errors_total{controller}`, `controller_runtime_terminal_reconcile_errors_total{controller}`,
///   `controller_runtime_reconcile_time_seconds{controller}`, `controller_runtime_max_concurrent_reconciles{controller}`,
///   `controller_runtime_active_workers{controller}`;
/// - `workqueue_depth`, `workqueue_adds_total`, `workqueue_queue_duration_seconds`, `workqueue_work_duration_seconds`,
///   `workqueue_retries_total`, each `{controller,name}` with the controller's name in both;
/// - `leader_election_master_status{name}`;
/// - `rest_client_requests_total{code,method,host}`.
public final class RuntimeMetrics: ControllerObserver, LeaderElectionObserver, KubeRequestObserver, Sendable {
    /// Where the metrics live; serve it with `MetricsServer`.
    public let registry: MetricsRegistry

    /// controller-runtime's reconcile time buckets (5 ms … 60 s).
    public static let reconcileBuckets: [Double] = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
        1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
    ]
    /// The work queue's duration buckets: 10 ns × 10^k, twelve of them (10 ns … 1000 s).
    public static let queueBuckets: [Double] = (0..<12).map { 1e-8 * pow(10, Double($0)) }

    /// Creates the metrics in `registry`.
    public init(registry: MetricsRegistry = MetricsRegistry()) { self.registry = registry }

    // MARK: Controllers

    /// Records one reconcile.
    public func reconciled(controller: String, key: ObjectKey, outcome: ReconcileOutcome, duration: Duration) {
        let result: String
        switch outcome {
        case .success: result = "success"
        case .requeueAfter: result = "requeue_after"
        case .error, .terminalError: result = "error"
        }
        reconcileTotal(controller, result).increment()
        if outcome == .error || outcome == .terminalError { errorsTotal(controller).increment() }
        if outcome == .terminalError { terminalErrorsTotal(controller).increment() }
        registry.histogram("controller_runtime_reconcile_time_seconds", labels: [("controller", controller)], buckets: Self.reconcileBuckets, help: "Length of time per reconciliation per controller").observe(duration)
    }

    /// Initialises a controller's series at zero (as controller-runtime does) and returns its queue observer.
    public func controllerCreated(_ controller: String, workers: Int) -> any WorkQueueObserver {
        for result in ["success", "error", "requeue", "requeue_after"] { reconcileTotal(controller, result).increment(by: 0) }
        errorsTotal(controller).increment(by: 0)
        terminalErrorsTotal(controller).increment(by: 0)
        registry.gauge("controller_runtime_max_concurrent_reconciles", labels: [("controller", controller)], help: "Maximum number of concurrent reconciles per controller").set(Double(workers))
        activeWorkers(controller).set(0)
        return QueueMetrics(registry: registry, controller: controller)
    }

    /// Tracks busy workers.
    public func workerBusy(controller: String, busy: Bool) { activeWorkers(controller).add(busy ? 1 : -1) }

    private func reconcileTotal(_ c: String, _ result: String) -> MetricCounter {
        registry.counter("controller_runtime_reconcile_total", labels: [("controller", c), ("result", result)], help: "Total number of reconciliations per controller")
    }
    private func errorsTotal(_ c: String) -> MetricCounter {
        registry.counter("controller_runtime_reconcile_errors_total", labels: [("controller", c)], help: "Total number of reconciliation errors per controller")
    }
    private func terminalErrorsTotal(_ c: String) -> MetricCounter {
        registry.counter("controller_runtime_terminal_reconcile_errors_total", labels: [("controller", c)], help: "Total number of terminal reconciliation errors per controller")
    }
    private func activeWorkers(_ c: String) -> MetricGauge {
        registry.gauge("controller_runtime_active_workers", labels: [("controller", c)], help: "Number of currently used workers per controller")
    }

    // MARK: Leader election and REST client

    /// `leader_election_master_status{name}`: 1 while leading.
    public func leadershipChanged(name: String, identity: String, leading: Bool, lease: Lease?) {
        leaderStatus(name).set(leading ? 1 : 0)
    }

    /// Sets `leader_election_master_status{name}` to 0 before the first election.
    public func leaderElectionStarted(name: String) { leaderStatus(name).set(0) }

    /// `concord_informer_decode_errors_total{resource}`: objects an informer skipped because they
    /// could not be decoded (each counted once per object, generation and error); starts at zero.
    public func informerDecodeErrors(resource: String) -> MetricCounter {
        let counter = registry.counter("concord_informer_decode_errors_total", labels: [("resource", resource)], help: "Objects an informer skipped because they could not be decoded")
        counter.increment(by: 0)
        return counter
    }

    private func leaderStatus(_ name: String) -> MetricGauge {
        registry.gauge("leader_election_master_status", labels: [("name", name)], help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease. Please make sure to group by name.")
    }

    /// `rest_client_requests_total{code,method,host}`.
    public func requestCompleted(method: String, host: String, code: String) {
        registry.counter("rest_client_requests_total", labels: [("code", code), ("method", method), ("host", host)], help: "Number of HTTP requests, partitioned by status code, method, and host.").increment()
    }
}

/// One controller's work queue metrics.
struct QueueMetrics: WorkQueueObserver {
    let depth: MetricGauge
    let adds: MetricCounter
    let queueDuration: MetricHistogram
    let workDuration: MetricHistogram
    let retries: MetricCounter

    init(registry: MetricsRegistry, controller: String) {
        let labels = [("controller", controller), ("name", controller)]
        depth = registry.gauge("workqueue_depth", labels: labels, help: "Current depth of workqueue")
        adds = registry.counter("workqueue_adds_total", labels: labels, help: "Total number of adds handled by workqueue")
        queueDuration = registry.histogram("workqueue_queue_duration_seconds", labels: labels, buckets: RuntimeMetrics.queueBuckets, help: "How long in seconds an item stays in workqueue before being requested")
        workDuration = registry.histogram("workqueue_work_duration_seconds", labels: labels, buckets: RuntimeMetrics.queueBuckets, help: "How long in seconds processing an item from workqueue takes.")
        retries = registry.counter("workqueue_retries_total", labels: labels, help: "Total number of retries handled by workqueue")
        depth.set(0)
        adds.increment(by: 0)
        retries.increment(by: 0)
    }

    func added() { adds.increment() }
    func depthChanged(_ depth: Int) { self.depth.set(Double(depth)) }
    func waited(_ duration: Duration) { queueDuration.observe(duration) }
    func worked(_ duration: Duration) { workDuration.observe(duration) }
    func retried() { retries.increment() }
}
