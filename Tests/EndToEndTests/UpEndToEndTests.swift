import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `concord up`: a hub, three members and the controller; a member dies and comes back; Ctrl-C
/// and `kill -9` of `concord up` stop every child.
@Suite(.serialized) struct UpEndToEndTests {
    struct Layout: Decodable {
        struct Hub: Decodable { var port: Int; var pid: Int32?; var kubeconfig: String }
        struct Member: Decodable { var name: String; var region: String; var port: Int; var pid: Int32?; var dataDir: String; var kubeconfig: String }
        struct Controller: Decodable { var pid: Int32?; var log: String?; var metrics: String?; var health: String? }
        var hub: Hub
        var datacenters: [Member]
        var controller: Controller?

        /// Every child's pid: hub, controller, members.
        var pids: [Int32] { ([hub.pid, controller?.pid] + datacenters.map(\.pid)).compactMap { $0 } }
    }

    /// The port of a `127.0.0.1:PORT` address.
    static func loopbackPort(_ address: String?) throws -> Int {
        let address = try #require(address)
        #expect(address.hasPrefix("127.0.0.1:"), "\(address) is not a loopback address")
        return try #require(address.split(separator: ":").last.flatMap { Int($0) })
    }

    @Test func memberKilledBecomesUnreachableAndRejoinsWhenRestarted() async throws {
        let dir = try makeTempDirectory("concord-up")
        defer { removeTestDirectory(dir) }
        let up = try Background(try concordBinary(), ["up", "--datacenters", "3", "--data-dir", dir.path], logPath: dir.appendingPathComponent("up.log").path)
        var restarted: ServerProcess?
        var children: [Int32] = []
        defer {
            // On a failure path concord up gets no chance to stop its children: kill them directly.
            restarted?.process.signal(SIGKILL)
            up.signal(SIGKILL)
            for pid in children { kill(pid, SIGKILL) }
        }

        let upJSON = dir.appendingPathComponent("up.json")
        let hubKubeconfig = dir.appendingPathComponent("hub.kubeconfig").path
        let started = try await eventually(timeout: .seconds(90), every: .milliseconds(200)) {
            guard up.exitStatus == nil else { throw E2EError("concord up exited:\n\(up.log)") }
            return up.log.contains("kubectl get datacenters")
        }
        #expect(started, "concord up did not finish starting:\n\(up.log)")
        let layout = try JSONDecoder().decode(Layout.self, from: Data(contentsOf: upJSON))
        children = layout.pids
        #expect(children.count == 5, "up.json names every child: \(children)")
        #expect(layout.datacenters.map(\.name) == ["us-east", "us-west", "eu-central"])
        #expect(layout.datacenters.map(\.region) == ["us-east-1", "us-west-2", "eu-central-1"])
        #expect(FileManager.default.fileExists(atPath: hubKubeconfig))
        // Every control plane serves TLS: the hub kubeconfig is an ordinary one, with the CA and a plain token.
        let hubConfig = try String(contentsOfFile: hubKubeconfig, encoding: .utf8)
        #expect(hubConfig.contains("server: https://127.0.0.1:\(layout.hub.port)\n"), "\(hubConfig)")
        #expect(hubConfig.contains("certificate-authority-data: ") && hubConfig.contains("token: ") && !hubConfig.contains("/token/"))

        let k = try Kubectl(kubeconfig: hubKubeconfig)
        let ready = try await k("wait", "--for=condition=Ready", "dc/us-east", "dc/us-west", "dc/eu-central", "--timeout=60s")
        #expect(ready.succeeded, "\(ready.stdout)\(ready.stderr)\n\(up.log)")
        let table = try await k("get", "datacenters")
        #expect(table.stdout.split(separator: "\n").filter { $0.contains(" Ready") }.count == 3, "\(table.stdout)")

        // The controller serves /metrics and its probes on the loopback ports up.json names.
        let metricsPort = try Self.loopbackPort(layout.controller?.metrics)
        let healthPort = try Self.loopbackPort(layout.controller?.health)
        #expect(try await httpGet(port: healthPort, "/readyz").code == 200)
        var samples: [String: Double] = [:]
        #expect(try await eventually(timeout: .seconds(10)) {
            let r = try await httpGet(port: metricsPort, "/metrics")
            guard r.code == 200 else { return false }
            samples = metricSamples(r.body)
            return samples.keys.contains { $0.hasPrefix(#"controller_runtime_reconcile_total{controller="datacenter""#) }
        }, "no controller_runtime_reconcile_total for datacenter on \(metricsPort): \(samples.keys.sorted())")

        // Members simulate workloads: a Deployment on a member becomes available without a kubelet.
        let east = try Kubectl(kubeconfig: try #require(layout.datacenters.first { $0.name == "us-east" }).kubeconfig)
        let deployment = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: web, image: nginx}]}

            """
        let created = try await east("apply", "-f", "-", stdin: deployment)
        #expect(created.succeeded, "\(created.stderr)")
        let available = try await east("wait", "--for=condition=Available", "deployment/web", "--timeout=30s")
        #expect(available.succeeded, "\(available.stdout)\(available.stderr)")
        #expect(try await east("get", "deployment", "web", "-o", "jsonpath={.status.availableReplicas}").stdout == "2")

        // kill -9 one member: Unreachable within period × failureThreshold + one period (4 s at defaults).
        // Observed through a running `kubectl get -w` (no kubectl start-up in the measurement).
        let victim = try #require(layout.datacenters.first { $0.name == "us-west" })
        let victimPid = try #require(victim.pid)
        let westPhases = try Background(
            Kubectl.path, ["--kubeconfig", hubKubeconfig, "--cache-dir", k.cacheDir, "get", "dc", "us-west", "-w", "-o", #"jsonpath={.status.phase}{"\n"}"#],
            logPath: dir.appendingPathComponent("west-phases.log").path)
        defer { westPhases.signal(SIGKILL) }
        #expect(await eventually(timeout: .seconds(10), every: .milliseconds(100)) { westPhases.log.contains("Ready") })
        let clock = ContinuousClock()
        let killedAt = clock.now
        kill(victimPid, SIGKILL)
        let unreachable = await eventually(timeout: .seconds(15), every: .milliseconds(20)) {
            westPhases.log.contains("Unreachable")
        }
        let detection = clock.now - killedAt
        #expect(unreachable, "us-west never became Unreachable")
        print("detection time after kill -9: \(detection)")
        #expect(detection <= .seconds(5), "detected after \(detection); the contract is 4 s plus observation")
        for other in ["us-east", "eu-central"] {
            #expect(try await k("get", "dc", other, "-o", "jsonpath={.status.phase}").stdout == "Ready", "\(other) must stay Ready")
        }
        let reachable = try await k("get", "dc", "us-west", "-o", #"jsonpath={.status.conditions[?(@.type=="Reachable")].status}"#)
        #expect(reachable.stdout == "False")

        // concord up never restarts it; a person does, on the same data dir and port, and it rejoins.
        #expect(!processIsAlive(victimPid))
        restarted = try await ServerProcess.start(
            dataDir: URL(fileURLWithPath: victim.dataDir), port: victim.port, logName: "us-west-restarted", extraArguments: ["--tls"])
        let back = try await k("wait", "--for=condition=Ready", "dc/us-west", "--timeout=30s")
        #expect(back.succeeded, "\(back.stderr)")
        #expect(try await k("get", "dc", "us-west", "-o", "jsonpath={.status.phase}").stdout == "Ready")

        // A member frozen for less than failureThreshold probes is never declared Unreachable.
        let eu = try #require(layout.datacenters.first { $0.name == "eu-central" })
        let euPid = try #require(eu.pid)
        let phaseLog = dir.appendingPathComponent("eu-phases.log").path
        let phases = try Background(Kubectl.path, ["--kubeconfig", hubKubeconfig, "--cache-dir", k.cacheDir, "get", "dc", "eu-central", "-w", "-o", #"jsonpath={.status.phase}{"\n"}"#], logPath: phaseLog)
        defer { phases.signal(SIGKILL) }
        #expect(await eventually(timeout: .seconds(10), every: .milliseconds(100)) { phases.log.contains("Ready") })
        kill(euPid, SIGSTOP)
        try await Task.sleep(for: .milliseconds(800))
        kill(euPid, SIGCONT)
        let settled = try await eventually(timeout: .seconds(10), every: .milliseconds(100)) {
            try await k("get", "dc", "eu-central", "-o", "jsonpath={.status.phase}").stdout == "Ready"
        }
        #expect(settled)
        #expect(!phases.log.contains("Unreachable"), "a brief freeze made eu-central Unreachable: \(phases.log)")

        // A member that hangs (kill -STOP) is detected through probe timeouts, and recovers on SIGCONT.
        let frozenAt = clock.now
        kill(euPid, SIGSTOP)
        let hung = await eventually(timeout: .seconds(15), every: .milliseconds(20)) { phases.log.contains("Unreachable") }
        let hangDetection = clock.now - frozenAt
        kill(euPid, SIGCONT)
        #expect(hung)
        print("detection time after kill -STOP: \(hangDetection)")
        #expect(hangDetection <= .seconds(5), "hang detected after \(hangDetection)")
        #expect(try await k("get", "dc", "us-east", "-o", "jsonpath={.status.phase}").stdout == "Ready")
        let resumed = try await k("wait", "--for=condition=Ready", "dc/eu-central", "--timeout=30s")
        #expect(resumed.succeeded, "\(resumed.stderr)")

        // Ctrl-C stops every child cleanly.
        let interruptedAt = clock.now
        up.signal(SIGINT)
        #expect(await up.waitForExit(timeout: .seconds(30)) == 0, "concord up did not exit cleanly:\n\(up.log)")
        let stopped = await eventually(timeout: .seconds(10), every: .milliseconds(10)) {
            layout.pids.allSatisfy { !processIsAlive($0) }
        }
        print("Ctrl-C: concord up and its children gone after \(clock.now - interruptedAt)")
        #expect(!processIsAlive(layout.hub.pid ?? -1))
        for member in layout.datacenters where member.name != "us-west" {
            #expect(!processIsAlive(member.pid ?? -1), "\(member.name) still running")
        }
        #expect(!processIsAlive(layout.controller?.pid ?? -1))
        #expect(stopped)
    }

    /// `kill -9` of `concord up` gives it no chance to stop anything: its children (servers, agents,
    /// controller) notice through their lifeline and stop by themselves.
    @Test func killNineOfUpLeavesNoChildBehind() async throws {
        let dir = try makeTempDirectory("concord-up-kill")
        defer { removeTestDirectory(dir) }
        let up = try Background(try concordBinary(), ["up", "--datacenters", "2", "--pull", "--data-dir", dir.path], logPath: dir.appendingPathComponent("up.log").path)
        var children: [Int32] = []
        defer {
            up.signal(SIGKILL)
            for pid in children { kill(pid, SIGKILL) }
        }
        // up.json appears once every Datacenter is registered, so it names every child.
        let upJSON = dir.appendingPathComponent("up.json")
        let written = try await eventually(timeout: .seconds(90), every: .milliseconds(50)) {
            guard up.exitStatus == nil else { throw E2EError("concord up exited:\n\(up.log)") }
            return FileManager.default.fileExists(atPath: upJSON.path)
        }
        try #require(written, "concord up wrote no up.json:\n\(up.log)")
        let layout = try JSONDecoder().decode(Layout.self, from: Data(contentsOf: upJSON))
        children = layout.pids
        #expect(children.count == 4, "hub, two members, controller: \(children)")
        let k = try Kubectl(kubeconfig: dir.appendingPathComponent("hub.kubeconfig").path)
        let names = try await k("get", "dc", "-o", "jsonpath={.items[*].metadata.name}")
        #expect(names.stdout.split(separator: " ").sorted() == ["us-east", "us-west"], "every Datacenter is registered when up.json appears: \(names.stdout)")
        let agents = await eventually(timeout: .seconds(30)) { up.log.contains("us-west agent running") }
        #expect(agents, "\(up.log)")
        let agentPids = try Self.agentPids(in: up.log)
        #expect(agentPids.count == 2, "\(up.log)")
        children += agentPids
        #expect(children.allSatisfy(processIsAlive))

        let clock = ContinuousClock()
        let killedAt = clock.now
        up.signal(SIGKILL)
        let gone = await eventually(timeout: .seconds(2), every: .milliseconds(10)) { children.allSatisfy { !processIsAlive($0) } }
        print("kill -9 of concord up: every child gone after \(clock.now - killedAt)")
        #expect(gone, "still running 2 s after kill -9 of concord up: \(children.filter(processIsAlive))")
    }

    /// The pids of the `… agent running  pid N, …` progress lines.
    static func agentPids(in log: String) throws -> [Int32] {
        log.split(separator: "\n").filter { $0.contains(" agent running") }.compactMap { line in
            line.range(of: "pid ").flatMap { range in Int32(line[range.upperBound...].prefix { $0.isNumber }) }
        }
    }
}
