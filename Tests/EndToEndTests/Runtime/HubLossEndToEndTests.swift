import ConcordTesting
import FederationAPI
import Foundation
import KubeClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Hub loss: two hub servers on one etcd, `concord controller` with a kubeconfig listing both, and
/// `kill -9` of the server it talks to. The controller moves to the other server and keeps reconciling.
@Suite(.serialized) struct HubLossEndToEndTests {
    @Test func controllerFailsOverToTheOtherHubServerAndKeepsReconciling() async throws {
        let dir = try makeTempDirectory("concord-hub-loss")
        defer { removeTestDirectory(dir) }
        let etcd = try await SharedTestEtcd.shared.cluster()
        let storage = ["--storage", "etcd", "--etcd-endpoints", etcd.endpointsArgument, "--etcd-prefix", "/concord-hub-loss-\(UUID().uuidString.prefix(8))"]
        let token = "hub-loss-\(UUID().uuidString.prefix(8))"
        // Plain HTTP: each server here would generate its own CA, and one kubeconfig trusts one CA
        // (`concord up --ha` gives both hub servers the same CA and token).
        let plain = storage + ["--insecure-plain-http"]
        let first = try await ServerProcess.start(dataDir: dir.appendingPathComponent("hub-1"), logName: "hub-1", extraArguments: plain + ["--token", token])
        defer { first.process.signal(SIGKILL) }
        let second = try await ServerProcess.start(dataDir: dir.appendingPathComponent("hub-2"), logName: "hub-2", extraArguments: plain + ["--token", token])
        defer { second.process.signal(SIGKILL) }
        let member = try await ServerProcess.start(dataDir: dir.appendingPathComponent("member"), logName: "member")
        defer { member.process.signal(SIGKILL) }

        // The controller's kubeconfig names the first server and lists both.
        let servers = try [first, second].map { try ClientConfiguration.load(kubeconfigPath: $0.kubeconfig).server.absoluteString }
        let kubeconfig = dir.appendingPathComponent("hub.kubeconfig").path
        try ServersExtension.adding(servers: servers, to: try String(contentsOfFile: first.kubeconfig, encoding: .utf8)).write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let hub = RuntimeHub(server: first, kubectl: try Kubectl(kubeconfig: first.kubeconfig), client: try KubeClient(kubeconfigPath: second.kubeconfig), dir: dir)
        // The servers may have made concord-system already; either way it exists afterwards.
        _ = try await hub.kubectl("create", "namespace", FederationGroup.systemNamespace)
        #expect(try await hub.kubectl("get", "namespace", FederationGroup.systemNamespace).succeeded)
        try await hub.installCRDs()
        try await hub.register("us-east", region: "us-east-1", memberKubeconfig: member.kubeconfig)

        let controller = try Background(
            try concordBinary(), ["controller", "--kubeconfig", kubeconfig], logPath: dir.appendingPathComponent("controller.log").path)
        defer { controller.signal(SIGKILL) }
        #expect(await eventually(timeout: .seconds(30), every: .milliseconds(100)) { await hub.status("us-east")?.phase == .ready }, "\(controller.log)")

        // kill -9 the server the controller talks to, then change the Datacenter through the other one.
        first.process.signal(SIGKILL)
        #expect(await first.process.waitForExit(timeout: .seconds(10)) != nil)
        let clock = ContinuousClock()
        let killed = clock.now
        var dc = try await hub.client.resource(Datacenter.self).get("us-east")
        dc.spec.priority = 7
        let generation = try #require(try await hub.client.resource(Datacenter.self).update(dc).metadata.generation)
        let reconciled = await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            let status = await hub.status("us-east")
            return status?.observedGeneration == generation && status?.phase == .ready
        }
        let failover = clock.now - killed
        print("concord hub loss: the controller reconciled generation \(generation) on the other hub server \(failover) after kill -9")
        #expect(reconciled, "the controller did not reconcile after the hub server was killed:\n\(controller.log)")
        #expect(failover < .seconds(10), "failing over took \(failover)")
        #expect(controller.log.contains("switching to the next one"), "the controller's client did not log the failover:\n\(controller.log)")

        // Probes keep the status fresh through the second server.
        let before = await hub.status("us-east")?.lastProbeTime?.date ?? .distantPast
        #expect(await eventually(timeout: .seconds(15), every: .milliseconds(100)) { (await hub.status("us-east")?.lastProbeTime?.date ?? .distantPast) > before })
        controller.signal(SIGTERM)
        #expect(await controller.waitForExit(timeout: .seconds(20)) == 0, "\(controller.log)")
        try await hub.client.shutdown()
    }
}
