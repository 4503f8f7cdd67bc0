import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The controller killed (`kill -9`) at each point of a make-before-break move and started again
/// resumes it from persisted status to the same end state: traffic on the new site only, the new
/// site at its replicas, the old one at 0, never both left scaled up and never the active one at 0.
@Suite(.serialized) struct FailoverControllerKillTests {
    /// Where in a move the controller dies.
    enum KillPoint: String, CaseIterable {
        /// Right after the spec changed, before any pass ran.
        case beforeStart
        /// Once the move is recorded in status (phase Migrating).
        case afterStart
        /// Once the target has been scaled up, before traffic switched.
        case afterScaleUp
    }

    @Test func controllerKilledMidMoveResumesToTheSameEndState() async throws {
        let dir = try makeTempDirectory("concord-failover-kill")
        defer { removeTestDirectory(dir) }
        let fed = try await UpFederation.start(dataDir: dir, log: dir.appendingPathComponent("up.log"))
        var controller: Background?
        defer {
            controller?.signal(SIGKILL)
            fed.stop()
        }
        var members: [String: Kubectl] = [:]
        for m in fed.layout.datacenters { members[m.name] = try Kubectl(kubeconfig: m.kubeconfig) }
        let east = try #require(members["us-east"]), west = try #require(members["us-west"]), eu = try #require(members["eu-central"])
        let hubConfig = dir.appendingPathComponent("hub.kubeconfig").path
        let hub = try Kubectl(kubeconfig: hubConfig)
        let status = { (path: String) async throws -> String in
            try await hub("get", "sf", "payment-api", "-n", "shop", "-o", "jsonpath={\(path)}").stdout
        }
        try #require(try await east("apply", "-f", "-", stdin: FailoverEndToEndTests.workload).succeeded)
        try #require(try await hub("apply", "-f", "-", stdin: FailoverEndToEndTests.serviceFailover).succeeded)
        #expect(try await hub("wait", "--for=condition=Ready", "sf/payment-api", "-n", "shop", "--timeout=60s").succeeded)
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) { try await FailoverEndToEndTests.routes(west) == "us-east:3" })

        var controllerPid = try #require(fed.layout.controller?.pid)
        var from = "us-east", to = "us-west"
        for (round, point) in KillPoint.allCases.enumerated() {
            let patch = #"{"spec":{"primary":"\#(to)","failover":[{"datacenter":"\#(from)"},{"datacenter":"eu-central"}]}}"#
            try #require(try await hub("patch", "sf", "payment-api", "-n", "shop", "--type=merge", "-p", patch).succeeded)
            let target = try #require(members[to])
            let reached: Bool
            switch point {
            case .beforeStart: reached = true
            case .afterStart: reached = try await eventually(timeout: .seconds(30), every: .milliseconds(20)) { try await status(".status.phase") == "Migrating" }
            case .afterScaleUp: reached = try await eventually(timeout: .seconds(30), every: .milliseconds(20)) { try await FailoverEndToEndTests.replicas(target) == "3" }
            }
            #expect(reached, "round \(round): the move never reached \(point)")
            let sameSiteStillRouted = try await FailoverEndToEndTests.routes(west)
            kill(controllerPid, SIGKILL)
            print("round \(round): controller killed \(point.rawValue) (routes then: \(sameSiteStillRouted))")
            controller?.signal(SIGKILL)
            let next = try Background(try concordBinary(), ["controller", "--kubeconfig", hubConfig], logPath: dir.appendingPathComponent("controller-\(round).log").path)
            controller = next
            controllerPid = next.pid

            let settled = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
                for member in [east, west, eu] where try await FailoverEndToEndTests.routes(member) != "\(to):3" { return false }
                let old = try await FailoverEndToEndTests.replicas(try #require(members[from]))
                let new = try await FailoverEndToEndTests.replicas(target)
                let phase = try await status(".status.phase"), active = try await status(".status.activeDatacenter")
                return old == "0" && new == "3" && phase == "Active" && active == to
            }
            let final = try await status(".status")
            #expect(settled, "round \(round) (\(point)): not settled: \(final)")
            #expect(try await FailoverEndToEndTests.replicas(eu) == "0", "round \(round): the idle standby was scaled up")
            #expect(try await status(".status.lastTransition.reason") == "PlannedMigration")
            (from, to) = (to, from)
        }
    }
}
