import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// `--simulate-workloads` on servers sharing etcd: only the holder of the collector's Lease simulates, so
/// one server writes each Deployment's status and each Service's EndpointSlice.
@Suite("Workload simulation by several servers", .timeLimit(.minutes(2)))
struct SharedWorkloadSimulationTests {
    @Test func onlyTheLeaseHolderSimulatesAndEveryDeploymentBecomesAvailable() async throws {
        let etcd = try await SharedTestEtcd.shared.configuration()
        let logs = [CapturedLog(), CapturedLog()]
        func configure(_ log: CapturedLog) -> (inout ControlPlaneConfiguration) -> Void {
            { config in
                config.makeStore = DefaultStore.etcd(etcd)
                config.logger = log.logger(level: .info)
                config.simulateWorkloads = WorkloadSimulation(delay: .milliseconds(200))
            }
        }
        try await withTestControlPlane(configure: configure(logs[0])) { one in
            try await withTestControlPlane(configure: configure(logs[1])) { two in
                let servers = [APIClient(one), APIClient(two)]
                let holder = "Acquired the lease: this server runs the garbage collector, the namespace defaults, the kubernetes Service and the workload simulator"
                try await waitUntil("one server to hold the Lease", timeout: .seconds(30)) { logs.contains { $0.text.contains(holder) } }
                #expect(logs.filter { $0.text.contains(holder) }.count == 1, "exactly one server simulates")
                for (i, client) in servers.enumerated() {
                    let name = "web-\(i)"
                    #expect(try await client.post(WorkloadSimulationTests.deployments, WorkloadSimulationTests.deployment(name, replicas: 2, app: name)).status == 201)
                }
                for (i, client) in servers.enumerated() {
                    try await waitUntil("web-\(i) available", timeout: .seconds(20)) {
                        try await client.get(WorkloadSimulationTests.deployments + "/web-\(i)").json.value(at: ["status", "availableReplicas"]) == 2
                    }
                }
                #expect(logs.filter { $0.text.contains(holder) }.count == 1, "the Lease stayed with one server")
            }
        }
    }
}
