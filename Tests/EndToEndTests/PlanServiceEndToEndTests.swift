import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `concord plan` for a ServiceFailover on `concord up`: the failover target and the moves it lists
/// for a lost active datacenter are what the controller does. The controller is stopped (`kill -9`)
/// while the first failover datacenter is cordoned and the active one killed, the plan is read, then
/// a new controller is started on the same hub.
@Suite(.serialized) struct PlanServiceEndToEndTests {
    struct Document: Decodable {
        struct Scale: Decodable { var datacenter: String; var replicas: Int }
        struct Service: Decodable {
            var service: String
            var activeDatacenter: String?
            var plannedActiveDatacenter: String?
            var plannedPhase: String?
            var transition: String?
            var scales: [Scale]
            var switchTrafficTo: String?
        }
        var assumeUnreachable: [String]
        var services: [Service]
    }

    @Test func thePlannedFailoverTargetAndMovesAreWhatTheControllerDoes() async throws {
        let bin = try concordBinary()
        let dir = try makeTempDirectory("concord-plan-service")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir)
        defer { fed.killAll() }
        let hub = fed.hub
        let east = try #require(fed.members["us-east"]), west = try #require(fed.members["us-west"]), eu = try #require(fed.members["eu-central"])
        let deployed = try await east("apply", "-f", "-", stdin: FailoverEndToEndTests.workload)
        try #require(deployed.succeeded, "\(deployed.stderr)")
        let applied = try await hub("apply", "-f", "-", stdin: FailoverEndToEndTests.serviceFailover)
        try #require(applied.succeeded, "\(applied.stderr)")
        let protected = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
            guard try await FailoverEndToEndTests.replicas(west) == "0", try await FailoverEndToEndTests.replicas(eu) == "0" else { return false }
            for member in [east, west, eu] where try await FailoverEndToEndTests.routes(member) != "us-east:3" { return false }
            return true
        }
        let protectedYAML = try await hub("get", "sf", "payment-api", "-n", "shop", "-o", "yaml").stdout
        try #require(protected, "no standbys or global endpoints: \(protectedYAML)")

        // Between two passes: the controller stopped, us-west (the first failover datacenter) cordoned, us-east killed.
        kill(try #require(fed.layout.controller?.pid), SIGKILL)
        var restarted: Background?
        defer { restarted?.signal(SIGKILL) }
        #expect(try await hub("patch", "dc", "us-west", "--type", "merge", "-p", #"{"spec":{"unschedulable":true}}"#).succeeded)
        kill(try #require(fed.layout.datacenters.first { $0.name == "us-east" }?.pid), SIGKILL)

        let before = try await hub("get", "sf", "payment-api", "-n", "shop", "-o", "jsonpath={.metadata.resourceVersion}").stdout
        let planned = try await run(bin, ["plan", "--kubeconfig", fed.hubConfig, "--if-unreachable", "us-east", "-o", "json"])
        #expect(planned.succeeded, "\(planned.stderr)")
        let document = try JSONDecoder().decode(Document.self, from: Data(planned.stdout.utf8))
        #expect(document.assumeUnreachable == ["us-east"])
        let plan = try #require(document.services.first { $0.service == "shop/payment-api" }, "\(planned.stdout)")
        #expect(plan.activeDatacenter == "us-east" && plan.plannedPhase == "FailingOver", "\(planned.stdout)")
        #expect(plan.transition == "us-east → eu-central (DatacenterUnreachable)", "the cordoned us-west is skipped: \(planned.stdout)")
        let scale = try #require(plan.scales.first, "\(planned.stdout)")
        #expect(plan.scales.count == 1 && scale.datacenter == "eu-central" && scale.replicas == 3, "eu-central at the primary's replicas: \(planned.stdout)")
        #expect(plan.switchTrafficTo == nil, "make-before-break: traffic moves once eu-central is ready, not on the first pass")
        let text = try await run(bin, ["plan", "--kubeconfig", fed.hubConfig, "--if-unreachable", "us-east"])
        #expect(text.stdout.contains("would start us-east → eu-central (DatacenterUnreachable)"), "\(text.stdout)")
        #expect(text.stdout.contains("would scale the workload in eu-central to 3"), "\(text.stdout)")
        #expect(try await hub("get", "sf", "payment-api", "-n", "shop", "-o", "jsonpath={.metadata.resourceVersion}").stdout == before, "concord plan wrote the ServiceFailover")
        #expect(try await FailoverEndToEndTests.replicas(eu) == "0", "eu-central was scaled before the plan was compared")

        // A controller again: it fails over to the planned target with the planned scale, then switches traffic.
        restarted = try Background(bin, ["controller", "--kubeconfig", fed.hubConfig], logPath: dir.appendingPathComponent("controller-2.log").path)
        let status = { (path: String) async throws -> String in
            try await hub("get", "sf", "payment-api", "-n", "shop", "-o", "jsonpath={\(path)}").stdout
        }
        let done = try await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
            guard try await status(".status.activeDatacenter") == "eu-central" else { return false }
            for member in [west, eu] where try await FailoverEndToEndTests.routes(member) != "eu-central:3" { return false }
            return true
        }
        let yaml = try await hub("get", "sf", "payment-api", "-n", "shop", "-o", "yaml").stdout
        #expect(done, "the controller did not do what was planned:\n\(yaml)\n\(restarted?.log ?? "")")
        let move = try await hub("get", "sf", "payment-api", "-n", "shop", "-o", "jsonpath={.status.history[0].from}/{.status.history[0].to}/{.status.history[0].reason}").stdout
        #expect(move == "us-east/eu-central/DatacenterUnreachable", "\(yaml)")
        #expect(try await status(".status.history[*].to") == "eu-central", "one move, to the planned target: \(yaml)")
        for planned in plan.scales {
            let member = try #require(fed.members[planned.datacenter])
            #expect(try await FailoverEndToEndTests.replicas(member) == "\(planned.replicas)", "\(planned.datacenter) is not at the planned \(planned.replicas) replicas")
        }
        #expect(try await FailoverEndToEndTests.replicas(west) == "0", "the cordoned us-west was scaled")
    }
}
