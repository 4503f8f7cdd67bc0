import ConcordTesting
import FederationAPI
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The operator install, proven: `kubectl apply -k manifests/` on a `concord server` hub, then `concord
/// controller` with nothing but a token of the manifests' ServiceAccount. It registers Datacenters, writes
/// status, promotes and records Events without one 403; with one rule removed, the 403 shows in a condition
/// and in the log. No token and no Secret data appears in the log, events, status or command output.
@Suite(.serialized) struct OperatorInstallEndToEndTests {
    @Test func theManifestsRBACIsEnoughAndEveryRuleIsNeeded() async throws {
        let dir = try makeTempDirectory("concord-operator")
        defer { removeTestDirectory(dir) }
        let hub = try await RuntimeHub.start(in: dir, installingCRDs: false, serverArguments: ["--log-level", "trace"])
        var members: [ServerProcess] = []
        var controller: Background?
        defer {
            controller?.signal(SIGKILL)
            for m in members { m.process.signal(SIGKILL) }
            hub.server.process.signal(SIGKILL)
        }
        let k = hub.kubectl
        let applied = try await k("apply", "-k", Repo.root.appendingPathComponent("manifests").path)
        #expect(applied.succeeded, "\(applied.stderr)")
        print("kubectl apply -k manifests/:\n\(applied.stdout)")
        for kind in ["namespace/concord-system", "customresourcedefinition.apiextensions.k8s.io/datacenters.federation.concord.dev",
            "serviceaccount/concord-controller", "clusterrole.rbac.authorization.k8s.io/concord-controller", "role.rbac.authorization.k8s.io/concord-controller",
            "deployment.apps/concord-controller"]
        {
            #expect(applied.stdout.contains(kind), "\(kind) not applied: \(applied.stdout)")
        }
        #expect(try await k("wait", "--for=condition=Established", "crd/datacenters.federation.concord.dev", "crd/federationpolicies.federation.concord.dev", "--timeout=30s").succeeded)

        // A kubeconfig holding only a token of the controller's ServiceAccount.
        let created = try await k("create", "token", "concord-controller", "-n", "concord-system", "--duration=2h")
        #expect(created.succeeded, "\(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let adminToken = try String(contentsOf: hub.server.dataDir.appendingPathComponent("token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let adminConfig = try String(contentsOfFile: hub.server.kubeconfig, encoding: .utf8)
        let saConfig = dir.appendingPathComponent("controller.kubeconfig").path
        try adminConfig.replacingOccurrences(of: "token: \(adminToken)", with: "token: \(token)").write(toFile: saConfig, atomically: true, encoding: .utf8)
        let whoami = try await Kubectl(kubeconfig: saConfig)("auth", "whoami", "-o", "jsonpath={.status.userInfo.username}")
        #expect(whoami.stdout == "system:serviceaccount:concord-system:concord-controller", "\(whoami.stderr)")

        var memberTokens: [String] = []
        for name in ["us-east", "us-west"] {
            let member = try await ServerProcess.start(dataDir: dir.appendingPathComponent(name), logName: name)
            members.append(member)
            memberTokens.append(try String(contentsOf: member.dataDir.appendingPathComponent("token"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
            try await hub.register(name, region: "\(name)-1", memberKubeconfig: member.kubeconfig)
        }
        let policy = "apiVersion: federation.concord.dev/v1alpha1\nkind: FederationPolicy\nmetadata: {name: global}\nspec:\n  datacenterSelector: {}\n  primary: us-east\n"
        #expect(try await k("apply", "-f", "-", stdin: policy).succeeded)

        controller = try Background(
            try concordBinary(),
            ["controller", "--kubeconfig", saConfig, "--leader-elect", "--leader-election-namespace=concord-system", "--log-level", "trace"],
            logPath: dir.appendingPathComponent("controller.log").path)
        let log = { controller?.log ?? "" }
        #expect(await eventually(timeout: .seconds(45), every: .milliseconds(200)) {
            let east = await hub.status("us-east")?.phase, west = await hub.status("us-west")?.phase
            return east == .ready && west == .ready
        }, "\(log())")
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            try await k("get", "fp", "global", "-o", "jsonpath={.status.primary}/{.status.epoch}").stdout == "us-east/1"
        }, "\(log())")
        let promote = try await run(try concordBinary(), ["datacenter", "promote", "us-west", "--kubeconfig", hub.server.kubeconfig], timeout: .seconds(120))
        #expect(promote.succeeded, "\(promote.stdout)\(promote.stderr)\n\(log())")
        #expect(try await k("get", "fp", "global", "-o", "jsonpath={.status.primary}/{.status.epoch}").stdout == "us-west/2")
        #expect(try await eventually(timeout: .seconds(20), every: .milliseconds(200)) {
            !(try await k("get", "events", "-A", "-o", "name").stdout.isEmpty)
        }, "the controller recorded no Event")
        #expect(await hub.lease() != nil, "leader election holds its Lease")
        #expect(!log().contains("HTTP 403") && !log().contains("Forbidden") && !log().contains("forbidden"), "\(log())")
        print("controller log (excerpt):\n" + log().split(separator: "\n").filter { $0.contains(" INFO ") && !$0.contains("Informer") }.prefix(20).joined(separator: "\n"))

        // One rule less: reading member credentials is refused, and the Datacenter and the log say so.
        let removed = try await k("patch", "role", "concord-controller", "-n", "concord-system", "--type=json", "-p", #"[{"op":"remove","path":"/rules/0"}]"#)
        #expect(removed.succeeded, "\(removed.stderr)")
        try await hub.register("eu-central", region: "eu-central-1", memberKubeconfig: members[0].kubeconfig)
        let refused = try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            try await k("get", "dc", "eu-central", "-o", "jsonpath={.status.conditions}").stdout.contains("forbidden")
        }
        let conditions = try await k("get", "dc", "eu-central", "-o", "jsonpath={.status.conditions}").stdout
        #expect(refused, "\(conditions)\n\(log())")
        #expect(conditions.contains(#"User \"system:serviceaccount:concord-system:concord-controller\" cannot get resource \"secrets\""#), "\(conditions)")
        let refusals = log().split(separator: "\n").filter { $0.contains("HTTP 403") }
        #expect(!refusals.isEmpty, "the log shows the 403")
        print("controller log after removing the Secrets rule:\n" + refusals.prefix(2).joined(separator: "\n"))
        print("condition after removing the Secrets rule: \(conditions)")

        // Secrets stay secret: no token and no kubeconfig Secret data in the log, events, status or output.
        let secretData = try await k("get", "secret", "us-east-kubeconfig", "-n", "concord-system", "-o", "jsonpath={.data.kubeconfig}").stdout
        #expect(!secretData.isEmpty)
        let statusDump = try await k("get", "dc,fp", "-o", "yaml").stdout
        let events = try await k("get", "events", "-A", "-o", "yaml").stdout
        let outputs = [log(), statusDump, events, promote.stdout, promote.stderr, hub.server.process.log] + members.map(\.process.log)
        for secret in [token, adminToken, secretData] + memberTokens {
            for (index, text) in outputs.enumerated() { #expect(!text.contains(secret), "output \(index) shows a secret") }
        }
        controller?.signal(SIGTERM)
        #expect(await controller?.waitForExit(timeout: .seconds(20)) == 0)
        for m in members { await m.process.stop() }
        await hub.stop()
    }
}
