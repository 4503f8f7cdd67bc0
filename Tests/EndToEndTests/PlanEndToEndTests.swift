import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `concord plan` on `concord up`: it writes nothing, and what it says would happen if us-east
/// were lost is what the controller does when us-east is killed.
@Suite(.serialized) struct PlanEndToEndTests {
    struct Document: Decodable {
        struct Marker: Decodable { var datacenter: String; var role: String; var primary: String; var epoch: Int64 }
        struct Policy: Decodable {
            var policy: String
            var decision: String
            var primary: String?
            var epoch: Int64
            var plannedPrimary: String?
            var plannedEpoch: Int64
            var statusChanges: Bool
            var markerWrites: [Marker]
        }
        var assumeUnreachable: [String]
        var policies: [Policy]
    }

    @Test func thePlanForALostPrimaryIsWhatTheControllerDoes() async throws {
        let bin = try concordBinary()
        let dir = try makeTempDirectory("concord-plan")
        defer { removeTestDirectory(dir) }
        let federation = try await UpFederation.start(dataDir: dir, log: dir.appendingPathComponent("up.log"))
        defer { federation.stop() }
        let layout = federation.layout
        let hub = layout.hub.kubeconfig
        let k = try Kubectl(kubeconfig: hub)
        try #require(try await k("wait", "--for=condition=Ready", "fp/global", "--timeout=60s").succeeded)
        // Successors of equal priority are ranked by their measured latency, which moves between the
        // plan and the promotion; a higher priority makes the successor the same for both.
        try #require(try await k("patch", "dc", "eu-central", "--type", "merge", "-p", #"{"spec":{"priority":500}}"#).succeeded)

        // Now: nothing to do, and planning writes nothing.
        let before = try await k("get", "fp", "global", "-o", "jsonpath={.metadata.resourceVersion}").stdout
        let now = try await run(bin, ["plan", "--kubeconfig", hub, "-o", "json"])
        #expect(now.status == 0, "\(now.stderr)")
        let steady = try #require(try JSONDecoder().decode(Document.self, from: Data(now.stdout.utf8)).policies.first)
        #expect(steady.decision == "stay" && steady.markerWrites.isEmpty && !steady.statusChanges, "\(now.stdout)")
        let text = try await run(bin, ["plan", "--kubeconfig", hub])
        #expect(text.stdout.contains("FederationPolicy global: primary us-east at epoch 1"), "\(text.stdout)")
        #expect(try await k("get", "fp", "global", "-o", "jsonpath={.metadata.resourceVersion}").stdout == before, "concord plan wrote the policy")

        // If us-east were lost.
        let ifLost = try await run(bin, ["plan", "--kubeconfig", hub, "--if-unreachable", "us-east", "-o", "json"])
        #expect(ifLost.status == 0, "\(ifLost.stderr)")
        let document = try JSONDecoder().decode(Document.self, from: Data(ifLost.stdout.utf8))
        #expect(document.assumeUnreachable == ["us-east"])
        let planned = try #require(document.policies.first)
        #expect(planned.decision == "promote(PrimaryUnreachable)", "\(ifLost.stdout)")
        #expect(planned.plannedEpoch == 2)
        let newPrimary = try #require(planned.plannedPrimary)
        #expect(newPrimary == "eu-central", "the highest-priority successor")
        #expect(Set(planned.markerWrites.map(\.datacenter)) == ["us-west", "eu-central"], "\(ifLost.stdout)")

        // Kill us-east: the controller promotes as planned and writes the planned markers.
        let east = try #require(layout.datacenters.first { $0.name == "us-east" }?.pid)
        kill(east, SIGKILL)
        let promoted = try await eventually(timeout: .seconds(90), every: .milliseconds(500)) {
            try await k("get", "fp", "global", "-o", "jsonpath={.status.primary}/{.status.epoch}").stdout == "\(newPrimary)/2"
        }
        let policyYAML = try await k("get", "fp", "global", "-o", "yaml").stdout
        #expect(promoted, "the controller did not promote \(newPrimary) at epoch 2: \(policyYAML)")
        for write in planned.markerWrites {
            let member = try #require(layout.datacenters.first { $0.name == write.datacenter })
            let m = try Kubectl(kubeconfig: member.kubeconfig)
            let written = try await eventually(timeout: .seconds(30), every: .milliseconds(500)) {
                try await m("get", "cm", "-n", "concord-system", "concord-federation", "-o", "jsonpath={.data.primary}/{.data.epoch}").stdout
                    == "\(write.primary)/\(write.epoch)"
            }
            #expect(written, "marker in \(write.datacenter) is not \(write.primary)/\(write.epoch) as planned")
        }
    }
}
