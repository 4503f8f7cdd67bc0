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
    /// The second octet of the synthetic pod addresses, `10.N.x.y` (244 by default): members of one
    /// federation get different ones, as real clusters have different pod networks.
    public var podNetwork: UInt8

    /// The pod network when none is given: 10.244.0.0/16.
    public static let defaultPodNetwork: UInt8 = 244

    /// Creates settings; the default delay is 2 s on the continuous clock, addresses in 10.244.0.0/16.
    public init(delay: Duration = .seconds(2), clock: any Clock<Duration> = ContinuousClock(), podNetwork: UInt8 = defaultPodNetwork) {
        self.delay = delay
        self.clock = clock
        self.podNetwork = podNetwork
    }

    /// The pod network of a `10.N.0.0/16` CIDR, or nil for anything else.
    public static func podNetwork(cidr: String) -> UInt8? {
        let parts = cidr.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "10", parts[2] == "0", parts[3] == "0/16", let second = UInt8(parts[1]), String(second) == parts[1] else { return nil }
        return second
    }

    /// The label on everything the simulator writes.
    public static let simulatedLabel = "concord.dev/simulated"
    /// The `endpointslice.kubernetes.io/managed-by` value of simulated EndpointSlices.
    public static let managedBy = "workload-simulator.concord.dev"
}
