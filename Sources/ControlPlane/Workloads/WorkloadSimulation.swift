/// How `concord server --simulate-workloads` behaves: there is no kubelet, so the control plane itself
/// marks Deployments available and publishes EndpointSlices with synthetic addresses, after `delay`.
///
/// ```swift
/// var config = ControlPlaneConfiguration(dataDirectory: dir)
/// config.simulateWorkloads = WorkloadSimulation(delay: .seconds(2))
/// ```
public struct WorkloadSimulation: Sendable {
    /// How long a Deployment change takes to "roll out" before its status says so.
    public var delay: Duration
    /// The clock the delay runs on (a manual clock in tests).
    public var clock: any Clock<Duration>

    /// Creates settings; the default delay is 2 s on the continuous clock.
    public init(delay: Duration = .seconds(2), clock: any Clock<Duration> = ContinuousClock()) {
        self.delay = delay
        self.clock = clock
    }

    /// The label on everything the simulator writes.
    public static let simulatedLabel = "concord.dev/simulated"
    /// The `endpointslice.kubernetes.io/managed-by` value of simulated EndpointSlices.
    public static let managedBy = "workload-simulator.concord.dev"
}
