import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `concord plan` for a ReplicationRule on `concord up`: the writes and the conflict it lists are
/// what the controller does on its next pass. The controller is stopped (`kill -9`) while the source
/// and a replica change and the plan is read, then a new one is started on the same hub.
@Suite(.serialized) struct PlanReplicationEndToEndTests {
    struct Document: Decodable {
        struct Target: Decodable { var datacenter: String; var unreachable: Bool; var creates: [String]; var updates: [String]; var conflicts: [String] }
        struct Rule: Decodable { var rule: String; var source: String?; var objects: Int; var targets: [Target] }
        var replication: [Rule]
    }

    @Test func thePlannedWritesAndConflictsAreWhatTheControllerDoes() async throws {
        let bin = try concordBinary()
        let dir = try makeTempDirectory("concord-plan-replication")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir)
        defer { fed.killAll() }
        let hub = fed.hub
        let east = try #require(fed.members["us-east"]), west = try #require(fed.members["us-west"]), eu = try #require(fed.members["eu-central"])
        try await fed.replicateSample(rule: StartedFederation.sampleRule, configMap: "a", literal: "v=1")

        // Between two passes: the controller paused, a new source object and a local edit of a replica.
        let controller = try #require(fed.layout.controller?.pid)
        kill(controller, SIGKILL)
        var restarted: Background?
        defer { restarted?.signal(SIGKILL) }
        for args in [["-n", "shop", "create", "configmap", "b", "--from-literal=v=2"], ["-n", "shop", "label", "configmap", "b", "scope=global"]] {
            #expect(try await east.run(args).succeeded, "\(args)")
        }
        #expect(try await west("-n", "shop", "patch", "configmap", "a", "--type", "merge", "-p", #"{"data":{"v":"local"}}"#).succeeded)

        let before = try await hub("get", "rr", "global-config", "-n", "shop", "-o", "jsonpath={.metadata.resourceVersion}").stdout
        let planned = try await run(bin, ["plan", "--kubeconfig", fed.hubConfig, "-o", "json"])
        #expect(planned.succeeded, "\(planned.stderr)")
        let document = try JSONDecoder().decode(Document.self, from: Data(planned.stdout.utf8))
        let rule = try #require(document.replication.first)
        #expect(rule.rule == "shop/global-config" && rule.source == "us-east" && rule.objects == 2)
        let westPlan = try #require(rule.targets.first { $0.datacenter == "us-west" })
        let euPlan = try #require(rule.targets.first { $0.datacenter == "eu-central" })
        #expect(westPlan.creates == ["ConfigMap/b"] && westPlan.updates == ["ConfigMap/a"], "\(planned.stdout)")
        #expect(westPlan.conflicts.count == 1 && westPlan.conflicts[0].contains("ConfigMap/a in us-west"), "\(planned.stdout)")
        #expect(euPlan.creates == ["ConfigMap/b"] && euPlan.updates.isEmpty && euPlan.conflicts.isEmpty, "\(planned.stdout)")
        let text = try await run(bin, ["plan", "--kubeconfig", fed.hubConfig])
        #expect(text.stdout.contains("→ us-west: would create ConfigMap/b; would update ConfigMap/a"), "\(text.stdout)")
        #expect(try await hub("get", "rr", "global-config", "-n", "shop", "-o", "jsonpath={.metadata.resourceVersion}").stdout == before, "concord plan wrote the rule")
        #expect(try await eu("get", "cm", "b", "-n", "shop", "--ignore-not-found", "-o", "name").stdout.isEmpty, "the controller acted before the plan was compared")

        // A controller again: it does what was planned.
        restarted = try Background(bin, ["controller", "--kubeconfig", fed.hubConfig], logPath: dir.appendingPathComponent("controller-2.log").path)
        let done = try await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
            let westB = try await west("get", "cm", "b", "-n", "shop", "-o", "jsonpath={.data.v}", "--ignore-not-found").stdout
            let euB = try await eu("get", "cm", "b", "-n", "shop", "-o", "jsonpath={.data.v}", "--ignore-not-found").stdout
            let westA = try await west("get", "cm", "a", "-n", "shop", "-o", "jsonpath={.data.v}").stdout
            let conflicts = try await hub("get", "rr", "global-config", "-n", "shop", "-o", "jsonpath={.status.conflicts[*].datacenter}/{.status.conflicts[*].name}").stdout
            return westB == "2" && euB == "2" && westA == "1" && conflicts == "us-west/a"
        }
        let status = try await hub("get", "rr", "global-config", "-n", "shop", "-o", "yaml").stdout
        let log = try String(contentsOf: dir.appendingPathComponent("controller-2.log"), encoding: .utf8)
        #expect(done, "the controller did not do what was planned:\n\(status)\nthe restarted controller's log:\n\(log.split(separator: "\n").suffix(60).joined(separator: "\n"))")
    }
}
