import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real kubectl against `concord server`: the flows a user runs on day one.
@Suite(.serialized) struct KubectlFlowTests {
    static let datacenter = """
        apiVersion: federation.concord.dev/v1alpha1
        kind: Datacenter
        metadata:
          name: us-east
          labels: {geo: us}
        spec:
          region: us-east-1
          zone: us-east-1a
          provider: aws
          credentialsRef: {namespace: concord-system, name: us-east-kubeconfig, key: kubeconfig}

        """

    @Test(arguments: E2EStorage.allCases)
    func dayOneFlows(storage: E2EStorage) async throws {
        let dir = try makeTempDirectory("kubectl-flows")
        defer { removeTestDirectory(dir) }
        let server = try await ServerProcess.start(dataDir: dir.appendingPathComponent("data"), extraArguments: try await storage.serverArguments())
        defer { server.process.signal(SIGKILL) }
        let k = try Kubectl(kubeconfig: server.kubeconfig)

        // Namespaces and ConfigMaps (kubectl 1.32 sends protobuf bodies for these).
        let ns = try await k("create", "namespace", "demo")
        #expect(ns.stdout.contains("namespace/demo created"), "\(ns.stderr)")
        let cm = try await k("create", "configmap", "cm1", "-n", "demo", "--from-literal=k=v")
        #expect(cm.stdout.contains("configmap/cm1 created"), "\(cm.stderr)")
        #expect(try await k("get", "configmap", "cm1", "-n", "demo", "-o", "jsonpath={.data.k}").stdout == "v")

        // CRDs from the repository.
        let crds = try await k("apply", "-f", Repo.crds)
        #expect(crds.succeeded, "\(crds.stderr)")
        #expect(crds.stdout.contains("customresourcedefinition.apiextensions.k8s.io/datacenters.federation.concord.dev created"))
        let established = try await k("wait", "--for=condition=Established", "crd/datacenters.federation.concord.dev", "--timeout=20s")
        #expect(established.succeeded, "\(established.stderr)")

        // Apply, edit the file, apply again.
        let applied = try await k("apply", "-f", "-", stdin: Self.datacenter)
        #expect(applied.stdout.contains("datacenter.federation.concord.dev/us-east created"), "\(applied.stderr)")
        let edited = Self.datacenter.replacingOccurrences(of: "us-east-1a", with: "us-east-1b")
        let configured = try await k("apply", "-f", "-", stdin: edited)
        #expect(configured.stdout.contains("datacenter.federation.concord.dev/us-east configured"), "\(configured.stderr)")
        let unchanged = try await k("apply", "-f", "-", stdin: edited)
        #expect(unchanged.stdout.contains("unchanged"), "\(unchanged.stdout) \(unchanged.stderr)")
        #expect(try await k("get", "dc", "us-east", "-o", "jsonpath={.spec.zone}").stdout == "us-east-1b")

        // Printer columns, YAML, explain, category.
        let table = try await k("get", "dc")
        let header = table.stdout.split(separator: "\n").first.map(String.init) ?? ""
        for column in ["NAME", "REGION", "ROLE", "PHASE", "LATENCY", "AGE"] {
            #expect(header.contains(column), "header \(header) lacks \(column)")
        }
        #expect(table.stdout.contains("us-east-1"))
        let wide = try await k("get", "dc", "-o", "wide")
        #expect(wide.stdout.split(separator: "\n").first.map { ["MODE", "CORDONED", "VERSION", "PRIORITY"].allSatisfy($0.contains) } == true, "\(wide.stdout)")
        let yaml = try await k("get", "dc", "us-east", "-o", "yaml")
        #expect(yaml.stdout.contains("region: us-east-1") && yaml.stdout.contains("kind: Datacenter"))
        let explain = try await k("explain", "datacenter.spec")
        #expect(explain.succeeded, "\(explain.stderr)")
        #expect(explain.stdout.contains("region") && explain.stdout.contains("credentialsRef"))
        let category = try await k("get", "concord")
        #expect(category.stdout.contains("datacenter.federation.concord.dev/us-east"), "\(category.stdout) \(category.stderr)")

        // get -w shows a change as it happens.
        let watchLog = dir.appendingPathComponent("watch.log").path
        let watch = try Background(Kubectl.path, ["--kubeconfig", server.kubeconfig, "--cache-dir", k.cacheDir, "get", "dc", "-w"], logPath: watchLog)
        defer { watch.signal(SIGKILL) }
        #expect(await eventually(timeout: .seconds(10), every: .milliseconds(100)) { watch.log.contains("us-east") })

        // wait --for=condition blocks until the status says so.
        let waitLog = dir.appendingPathComponent("wait.log").path
        let waiter = try Background(Kubectl.path, ["--kubeconfig", server.kubeconfig, "--cache-dir", k.cacheDir, "wait", "--for=condition=Ready", "dc/us-east", "--timeout=30s"], logPath: waitLog)
        defer { waiter.signal(SIGKILL) }
        let now = ISO8601DateFormatter().string(from: Date())
        let statusPatch = #"{"status":{"phase":"Ready","conditions":[{"type":"Ready","status":"True","reason":"Probed","message":"ok","lastTransitionTime":"\#(now)"}]}}"#
        let patchedStatus = try await k("patch", "dc", "us-east", "--subresource=status", "--type=merge", "-p", statusPatch)
        #expect(patchedStatus.succeeded, "\(patchedStatus.stderr)")
        #expect(await waiter.waitForExit(timeout: .seconds(20)) == 0, "wait output: \(waiter.log)")
        #expect(waiter.log.contains("condition met"))
        #expect(await eventually(timeout: .seconds(10), every: .milliseconds(100)) { watch.log.split(separator: "\n").filter { $0.contains("us-east") }.count >= 2 }, "get -w output: \(watch.log)")

        // Patches of both kinds.
        let merge = try await k("patch", "dc", "us-east", "--type=merge", "-p", #"{"metadata":{"labels":{"tier":"gold"}}}"#)
        #expect(merge.stdout.contains("patched"), "\(merge.stderr)")
        let json = try await k("patch", "dc", "us-east", "--type=json", "-p", #"[{"op":"replace","path":"/spec/priority","value":7}]"#)
        #expect(json.stdout.contains("patched"), "\(json.stderr)")
        #expect(try await k("get", "dc", "us-east", "-o", "jsonpath={.metadata.labels.tier}/{.spec.priority}").stdout == "gold/7")

        // An enum violation is refused with 422 naming the field.
        let invalid = try await k("apply", "-f", "-", stdin: Self.datacenter.replacingOccurrences(of: "name: us-east\n", with: "name: bad\n") + "  mode: Sideways\n")
        #expect(!invalid.succeeded)
        #expect(invalid.stderr.contains("spec.mode") && invalid.stderr.contains("Unsupported value"), "\(invalid.stderr)")

        // A stale update gets 409.
        let saved = try await k("get", "dc", "us-east", "-o", "yaml").stdout
        _ = try await k("label", "dc", "us-east", "bump=1")
        let stale = try await k("replace", "-f", "-", stdin: saved)
        #expect(!stale.succeeded)
        #expect(stale.stderr.contains("the object has been modified"), "\(stale.stderr)")

        // A finalizer holds deletion until it is removed.
        let held = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: demo\n  finalizers: [example.com/hold]\ndata: {a: b}\n"
        #expect(try await k("apply", "-f", "-", stdin: held).succeeded)
        let deleting = try await k("delete", "configmap", "held", "-n", "demo", "--wait=false")
        #expect(deleting.succeeded, "\(deleting.stderr)")
        let stamp = try await k("get", "configmap", "held", "-n", "demo", "-o", "jsonpath={.metadata.deletionTimestamp}")
        #expect(stamp.succeeded && !stamp.stdout.isEmpty, "deletionTimestamp missing: \(stamp.stdout) \(stamp.stderr)")
        let release = try await k("patch", "configmap", "held", "-n", "demo", "--type=json", "-p", #"[{"op":"remove","path":"/metadata/finalizers"}]"#)
        #expect(release.succeeded, "\(release.stderr)")
        let gone = try await k("get", "configmap", "held", "-n", "demo")
        #expect(!gone.succeeded && gone.stderr.contains("NotFound"), "\(gone.stderr)")

        // No token, no access: the same server without the token kubectl carries in its kubeconfig.
        let withToken = try String(contentsOfFile: server.kubeconfig, encoding: .utf8)
        let withoutToken = withToken.replacingOccurrences(of: #"/token/[0-9a-f]+"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"token: [0-9a-f]+"#, with: "token: not-the-token", options: .regularExpression)
        #expect(withoutToken != withToken)
        let anonymousConfig = dir.appendingPathComponent("anonymous.kubeconfig").path
        try withoutToken.write(toFile: anonymousConfig, atomically: true, encoding: .utf8)
        let anonymous = try await Kubectl(kubeconfig: anonymousConfig)("get", "namespaces")
        #expect(!anonymous.succeeded)
        #expect(anonymous.stderr.contains("You must be logged in to the server"), "\(anonymous.stderr)")
    }
}
