import ArgumentParser
import ControllerRuntime
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import KubernetesAPI
import Logging

/// `concord controller`: the reconcilers against a hub.
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run Concord's controllers against a hub (any Kubernetes API server with Concord's CRDs installed).",
        discussion: """
            Stops cleanly on SIGTERM or SIGINT: queues drain, probes stop, connections close. \
            With --leader-elect only the holder of a coordination.k8s.io/v1 Lease reconciles; the others wait \
            and take over once it expires. A process that loses the lease exits (run it under a supervisor).
            """)

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var logging: LoggingOptions
    @OptionGroup var election: LeaderElectionOptions

    @Option(name: .long, help: "Concurrent Datacenter reconciles.")
    var datacenterWorkers: Int = 4

    @Option(name: .long, help: "Seconds a Datacenter deletion waits for an unreachable member before leaving its marker behind.")
    var memberCleanupTimeout: Int = 30

    @Option(name: .customLong("metrics-bind-address"), help: "Where /metrics (Prometheus text) is served, e.g. :8080 or 127.0.0.1:8080; 0 disables it.")
    var metricsBindAddress = "0"

    @Option(name: .customLong("health-probe-bind-address"), help: "Where /healthz and /readyz are served, e.g. :8081; 0 disables them.")
    var healthProbeBindAddress = "0"

    @Option(name: .customLong("kube-api-qps"), help: "Client-side limit of requests per second to the hub; 0 turns it off (controller-runtime's default).")
    var kubeAPIQPS: Double = 0

    @Option(name: .customLong("kube-api-burst"), help: "Requests allowed in a burst above --kube-api-qps.")
    var kubeAPIBurst: Int = 10

    @Option(name: .customLong("heap-trim-period"), help: "Seconds between handing freed memory back to the system, so the resident size falls after a burst of work; 0 never does.")
    var heapTrimPeriod: Int = 30

    func validate() throws {
        guard kubeAPIQPS >= 0, kubeAPIBurst >= 1 else { throw ValidationError("--kube-api-qps must not be negative and --kube-api-burst must be at least 1") }
        guard datacenterWorkers >= 1 else { throw ValidationError("--datacenter-workers must be at least 1") }
        guard memberCleanupTimeout >= 0 else { throw ValidationError("--member-cleanup-timeout must not be negative") }
        guard heapTrimPeriod >= 0 else { throw ValidationError("--heap-trim-period must not be negative (0 turns it off)") }
        for (flag, value) in [("--metrics-bind-address", metricsBindAddress), ("--health-probe-bind-address", healthProbeBindAddress)] {
            do { _ = try ServerAddress.parse(value) } catch { throw ValidationError("\(flag): \(error)") }
        }
        try election.validate()
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "concord.controller")
        let metrics = RuntimeMetrics()
        let hub: KubeClient
        do {
            var configuration = try ClientConfiguration.load(kubeconfigPath: cluster.kubeconfig, context: cluster.context)
            configuration.qps = kubeAPIQPS
            configuration.burst = kubeAPIBurst
            hub = try KubeClient(configuration: configuration, logger: Logger(label: "concord.kubeclient"), observer: metrics)
        } catch {
            throw CLIError("\(error)")
        }
        do {
            let events = EventBroadcaster(client: hub, logger: Logger(label: "concord.events"))
            let elector = try election.elector(hub: hub, metrics: metrics, events: events, logger: Logger(label: "concord.leaderelection"))
            let options = ControllerOptions(
                datacenterWorkers: datacenterWorkers, memberCleanupTimeout: TimeInterval(memberCleanupTimeout), metrics: metrics, events: events)
            let controllers = FederationControllerSet(hub: hub, options: options, leaderElection: elector ?? AlwaysLeader(), logger: logger)
            if let address = try ServerAddress.parse(metricsBindAddress) {
                controllers.manager.serveMetrics(metrics.registry, at: address)
            }
            if let address = try ServerAddress.parse(healthProbeBindAddress) {
                controllers.manager.serveHealthProbes(at: address)
            }
            if heapTrimPeriod > 0 {
                controllers.manager.add(service: HeapTrimmer(period: .seconds(heapTrimPeriod)))
            }
            logger.info("Starting Concord controllers", metadata: [
                "hub": "\(hub.configuration?.displayServer ?? "?")",
                "leaderElection": "\(elector.map { "\($0.configuration.leaseKey) as \($0.configuration.identity)" } ?? "off")",
            ])
            try await controllers.run()
        } catch {
            if error is LeaderElectionLost { logger.error("Problem running manager", metadata: ["error": "\(error)"]) }
            try? await hub.shutdown()
            throw error
        }
        try await hub.shutdown()
    }
}

/// kubebuilder's and kube-controller-manager's leader election flags.
struct LeaderElectionOptions: ParsableArguments {
    @Flag(name: .customLong("leader-elect"), help: "Elect a leader through a Lease so only one replica reconciles.")
    var enabled = false

    @Option(name: .customLong("leader-election-namespace"), help: "Namespace of the Lease (default: the pod's namespace in a cluster, else concord-system).")
    var namespace: String?

    @Option(name: .customLong("leader-election-id"), help: "Name of the Lease.")
    var id = "concord-controller"

    @Option(name: .customLong("leader-elect-lease-duration"), help: "How long followers wait after the Lease last changed before taking over (e.g. 15s).")
    var leaseDuration: DurationArgument = DurationArgument(.seconds(15))

    @Option(name: .customLong("leader-elect-renew-deadline"), help: "How long the leader retries renewing before it gives up and exits (e.g. 10s).")
    var renewDeadline: DurationArgument = DurationArgument(.seconds(10))

    @Option(name: .customLong("leader-elect-retry-period"), help: "The pause between attempts to acquire or renew (e.g. 2s).")
    var retryPeriod: DurationArgument = DurationArgument(.seconds(2))

    @Flag(name: .customLong("leader-elect-release-on-cancel"), help: "Hand the Lease back on SIGTERM/SIGINT so another replica takes over at once.")
    var releaseOnCancel = false

    /// The configuration these flags describe.
    var configuration: LeaderElectionConfiguration {
        LeaderElectionConfiguration(
            namespace: namespace ?? LeaderElectionConfiguration.inClusterNamespace() ?? FederationGroup.systemNamespace,
            name: id, leaseDuration: leaseDuration.value, renewDeadline: renewDeadline.value, retryPeriod: retryPeriod.value,
            releaseOnCancel: releaseOnCancel)
    }

    func validate() throws {
        guard enabled else { return }
        do {
            try configuration.validate()
        } catch {
            throw ValidationError("\(error) (--leader-elect-lease-duration > --leader-elect-renew-deadline > 1.2 × --leader-elect-retry-period)")
        }
    }

    /// The elector, when `--leader-elect` is on.
    func elector(hub: KubeClient, metrics: RuntimeMetrics, events: EventBroadcaster, logger: Logger) throws -> LeaseLeaderElector? {
        guard enabled else { return nil }
        let config = configuration
        metrics.leaderElectionStarted(name: config.name)
        let observers = LeaderElectionObservers([metrics, LeaderElectionEvents(recorder: events.recorder(for: "concord-controller", instance: config.identity))])
        return try LeaseLeaderElector(configuration: config, client: hub, observer: observers, logger: logger)
    }
}

/// A duration flag value: `15s`, `1500ms`, `1m`, `1h`, or plain seconds (`2.5`).
struct DurationArgument: ExpressibleByArgument, Sendable {
    var value: Duration

    init(_ value: Duration) { self.value = value }

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var text = argument.trimmingCharacters(in: .whitespaces)
        var scale = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            text.removeLast(suffix.count)
            scale = factor
            break
        }
        guard let number = Double(text), number.isFinite, number >= 0 else { return nil }
        value = .milliseconds(Int64((number * scale * 1000).rounded()))
    }

    var defaultValueDescription: String {
        let (s, atto) = value.components
        return atto == 0 ? "\(s)s" : "\(Double(s) + Double(atto) / 1e18)s"
    }
}
