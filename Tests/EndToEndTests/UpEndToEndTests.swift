import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `concord up`: a hub, three members and the controller; a member dies and comes back.
@Suite(.serialized) struct UpEndToEndTests {
    struct Layout: Decodable {
        struct Hub: Decodable { var port: Int; var pid: Int32?; var kubeconfig: String }
        struct Member: Decodable { var name: String; var region: String; var port: Int; var pid: Int32?; var dataDir: String; var kubeconfig: String }
        struct Controller: Decodable { var pid: Int32? }
        var hub: Hub
        var datacenters: [Member]
        var controller: Controller?
    }

    @Test func memberKilledBecomesUnreachableAndRejoinsWhenRestarted() async throws {
        let dir = try makeTempDirectory("concord-up")
        defer { try? FileManager.default.removeItem(at: dir) }
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
        children = ([layout.hub.pid, layout.controller?.pid] + layout.datacenters.map(\.pid)).compactMap { $0 }
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
        up.signal(SIGINT)
        #expect(await up.waitForExit(timeout: .seconds(30)) == 0, "concord up did not exit cleanly:\n\(up.log)")
        #expect(!processIsAlive(layout.hub.pid ?? -1))
        for member in layout.datacenters where member.name != "us-west" {
            #expect(!processIsAlive(member.pid ?? -1), "\(member.name) still running")
        }
        #expect(!processIsAlive(layout.controller?.pid ?? -1))
    }
}
