import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `concord up --ha`: three etcd members and two hub servers. After `kill -9` of the etcd leader and
/// of the hub server the kubeconfig names, the federation keeps working through the other server:
/// the Datacenters stay Ready, and killing the primary still promotes a new one.
@Suite(.serialized) struct HAUpEndToEndTests {
    /// The parts of `up.json` only `--ha` writes.
    struct HALayout: Decodable {
        struct Etcd: Decodable { var clientPort: Int; var pid: Int32 }
        struct Server: Decodable { var pid: Int32; var kubeconfig: String }
        var etcd: [Etcd]
        var hubReplica: Server
    }

    @Test func federationSurvivesTheEtcdLeaderAndAHubServerThenPromotes() async throws {
        _ = try LocalEtcd.executable()
        let dir = try makeTempDirectory("concord-up-ha")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir, datacenters: 3, extraArguments: ["--ha"])
        let ha = try JSONDecoder().decode(HALayout.self, from: Data(contentsOf: dir.appendingPathComponent("up.json")))
        defer {
            fed.killAll()
            for member in ha.etcd { kill(member.pid, SIGKILL) }
            kill(ha.hubReplica.pid, SIGKILL)
        }
        let hub = try Kubectl(kubeconfig: ha.hubReplica.kubeconfig)
        let phases = { try await hub("get", "dc", "-o", "jsonpath={range .items[*]}{.metadata.name}={.status.phase} {end}").stdout }
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) { try await phases() == "eu-central=Ready us-east=Ready us-west=Ready " })

        // kill -9 of the etcd leader and of the first hub server (the one hub.kubeconfig names).
        let urls = try ha.etcd.map { try #require(URL(string: "http://127.0.0.1:\($0.clientPort)")) }
        let leader = try await eventually(timeout: .seconds(10), every: .milliseconds(100)) { try await LocalEtcd.leader(among: urls) != nil }
        try #require(leader, "no etcd leader")
        let index = try #require(try await LocalEtcd.leader(among: urls))
        kill(ha.etcd[index].pid, SIGKILL)
        kill(try #require(fed.layout.hub.pid), SIGKILL)

        // Through the other hub server: the Datacenters stay Ready while probes keep being written.
        let probed = { try await hub("get", "dc", "us-west", "-o", "jsonpath={.status.lastProbeTime}").stdout }
        let before = try await probed()
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(500)) { try await probed() != before }, "the controller wrote no probe after the losses")
        #expect(try await phases() == "eu-central=Ready us-east=Ready us-west=Ready ")

        // kill -9 of the primary's member: the controller still promotes (unreachableForSeconds 30).
        let primary = try #require(fed.layout.datacenters.first { $0.name == "us-east" }?.pid)
        let clock = ContinuousClock(), killed = clock.now
        kill(primary, SIGKILL)
        let promoted = try await eventually(timeout: .seconds(90), every: .milliseconds(500)) {
            let now = try await hub("get", "fp", "global", "-o", "jsonpath={.status.primary} {.status.epoch}").stdout
            return !now.isEmpty && now != "us-east 1"
        }
        let policy = try await hub("get", "fp", "global", "-o", "yaml").stdout
        #expect(promoted, "no promotion: \(policy)")
        print("concord up --ha: etcd leader and hub server killed; promotion \(killed.duration(to: clock.now)) after kill -9 of the primary")
        #expect(try await hub("get", "dc", "us-east", "-o", "jsonpath={.status.phase}").stdout == "Unreachable")
    }
}
