import ControlPlane
import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs a local federation: the hub and member control planes as child processes, the CRDs,
/// one Datacenter per member, and the controller; stops every child on graceful shutdown.
///
/// Members are never restarted: a member that dies stays down until a person restarts
/// `concord server --tls` on its data dir and port, and then it rejoins.
struct LocalFederation: Service {
    let directory: URL
    let datacenterCount: Int
    /// Members join as `concord agent` processes (Pull mode) instead of being registered by push.
    let pull: Bool
    let executable: String
    let output: ProgressOutput
    /// The hub is two `concord server --storage etcd` processes on a 3-member etcd cluster (see `HubReplicas`).
    var ha = false

    func run() async throws {
        let layout = try UpLayout.plan(in: directory, datacenters: datacenterCount, ha: ha)
        output.line("concord up: a federation of \(layout.datacenters.count) datacenters in \(directory.path)\(ha ? ", hub on etcd (--ha)" : "")")

        var children: [ChildProcess] = []
        var hubAPI: HubBootstrap?
        do {
            let etcd = try await startHubEtcd(layout, children: &children)
            let hub = try startServer(name: "hub", dataDir: layout.hub.dataDir, port: layout.hub.port, member: false, extra: hubStorage(layout))
            children.append(hub)
            var members: [(UpLayout.Member, ChildProcess)] = []
            for (i, member) in layout.datacenters.enumerated() {
                let child = try startServer(name: member.name, dataDir: member.dataDir, port: member.port, member: true, extra: ["--simulate-workloads-cidr", Self.podNetwork(i)])
                children.append(child)
                members.append((member, child))
            }
            var running = layout
            running.etcd = etcd
            running.hub.pid = hub.pid
            for (i, (_, child)) in members.enumerated() { running.datacenters[i].pid = child.pid }

            let hubStarted = try await waitForServer(
                "hub", dataDir: layout.hub.dataDir, kubeconfig: layout.hub.kubeconfig, member: false, child: hub, port: layout.hub.port,
                children: &children, extra: hubStorage(layout))
            let hubClient = hubStarted.api
            hubAPI = hubClient
            running.hub.pid = hubStarted.child.pid
            running.hub.port = hubStarted.port
            output.step("hub control plane", "127.0.0.1:\(hubStarted.port) (pid \(hubStarted.child.pid))")
            try FileManager.default.removeItemIfPresent(atPath: hubKubeconfigPath)
            if let replica = layout.hubReplica {
                running.hubReplica = try await startHubReplica(replica, layout: layout, hubPort: hubStarted.port, children: &children)
            } else {
                try FileManager.default.copyItem(atPath: layout.hub.kubeconfig, toPath: hubKubeconfigPath)
            }
            for (i, (member, child)) in members.enumerated() {
                let started = try await waitForServer(
                    member.name, dataDir: member.dataDir, kubeconfig: member.kubeconfig, member: true, child: child, port: member.port, children: &children,
                    extra: ["--simulate-workloads-cidr", Self.podNetwork(i)])
                try await started.api.shutdown()
                running.datacenters[i].pid = started.child.pid
                running.datacenters[i].port = started.port
                output.step("\(member.name) control plane", "127.0.0.1:\(started.port) (pid \(started.child.pid)), simulated workloads in \(Self.podNetwork(i))")
            }

            let crdCount = try await hubClient.installCRDs()
            output.step("CRDs installed", "\(crdCount) kinds")
            for member in layout.datacenters {
                if pull {
                    let agent = try ChildProcess.start(
                        name: "\(member.name)-agent", executable: executable,
                        arguments: [
                            "agent", "--hub-kubeconfig", hubKubeconfigPath, "--datacenter", member.name, "--region", member.region,
                            "--kubeconfig", member.kubeconfig, "--lease-duration", String(Self.agentLeaseSeconds),
                        ],
                        logPath: directory.appendingPathComponent("logs/\(member.name)-agent.log").path)
                    children.append(agent)
                    output.step("\(member.name) agent running", "pid \(agent.pid), Pull mode, \(Self.agentLeaseSeconds) s Lease")
                } else {
                    let kubeconfig = try String(contentsOfFile: member.kubeconfig, encoding: .utf8)
                    try await hubClient.register(member: member, kubeconfig: kubeconfig)
                    output.step("Datacenter \(member.name) registered", member.region)
                }
            }

            let controllerStarted = Date()
            var controllerLayout = layout.controller ?? UpLayout.Controller(log: directory.appendingPathComponent("logs/controller.log").path)
            var controller = try startController(controllerLayout)
            children.append(controller)
            running.controller = controllerLayout
            running.controller?.pid = controller.pid
            output.step("controller running", "pid \(controller.pid), log \(controllerLayout.log)")
            output.step("controller /metrics and probes", "http://\(controllerLayout.metrics ?? "-")/metrics, http://\(controllerLayout.health ?? "-")/readyz")
            var controllerRestarts = 0
            // A controller that exits before the members are Ready fails `concord up` at once; one that
            // lost a port to another process before binding it is started again on fresh ports.
            let checkController = {
                guard !controller.isRunning else { return }
                guard controllerRestarts < 3, Self.lostItsPort(logPath: controllerLayout.log) else {
                    throw UpError("the controller exited during start-up; see \(controllerLayout.log)")
                }
                controllerRestarts += 1
                var ports = LoopbackPorts()
                ports.exclude(running.ports)
                let taken = "\(controllerLayout.metrics ?? "-") or \(controllerLayout.health ?? "-")"
                controllerLayout.metrics = "127.0.0.1:\(try ports.take())"
                controllerLayout.health = "127.0.0.1:\(try ports.take())"
                ports.release()
                let dead = controller.pid
                controller = try startController(controllerLayout)
                children.removeAll { $0.pid == dead }
                children.append(controller)
                running.controller = controllerLayout
                running.controller?.pid = controller.pid
                try running.write(to: directory)
                output.line(
                    "  … controller: \(taken) was taken by another process before it bound it; started it again (pid \(controller.pid)) "
                        + "with /metrics on \(controllerLayout.metrics ?? "-") and probes on \(controllerLayout.health ?? "-")")
            }
            if pull {
                try await hubClient.waitUntilRegistered(layout.datacenters.map(\.name), timeout: startTimeout)
            }
            // Written only now that every Datacenter is registered: whoever reads up.json finds them all.
            try running.write(to: directory)

            try await hubClient.waitUntilReady(layout.datacenters.map(\.name), since: controllerStarted, timeout: startTimeout, check: checkController) { name, latency in
                output.step("\(name) Ready", latency.map { "latency \($0) ms" } ?? "Lease fresh")
            }
            if let first = layout.datacenters.first {
                try await hubClient.createGlobalPolicy(primary: first.name)
                let elected = try await hubClient.waitForPrimary(timeout: .seconds(30))
                output.step("FederationPolicy global", "primary \(elected.primary), epoch \(elected.epoch)")
            }
            output.line("")
            output.line(try await hubClient.statusTable())
            output.line("Next:")
            output.line("  export KUBECONFIG=\(hubKubeconfigPath)")
            output.line("  kubectl get datacenters")
            output.line("  kill -9 <a member's pid from \(directory.appendingPathComponent("up.json").path)>   # it turns Unreachable")
            if ha { output.line("  kill -9 <an etcd member's or a hub server's pid from up.json>   # the hub keeps serving") }
            output.line("Press Ctrl-C to stop the federation.")
            try await hubClient.shutdown()
            hubAPI = nil

            try await supervise(children)
        } catch {
            try? await hubAPI?.shutdown()
            await stopAll(children)
            throw error
        }
        await stopAll(children)
        output.line("concord up: stopped")
    }

    /// Agents started by `up --pull` renew a 4 s Lease every second, so a lost member is noticed
    /// within about the same time as a pushed one.
    static let agentLeaseSeconds = 4

    /// How long members get to register and turn Ready: a minute, and a second more per member (a
    /// hundred members share two cores with their hub and the controller).
    private var startTimeout: Duration { .seconds(60 + datacenterCount) }

    var hubKubeconfigPath: String { directory.appendingPathComponent("hub.kubeconfig").path }

    /// Waits for graceful shutdown (SIGINT/SIGTERM), reporting children that exit on their own meanwhile,
    /// then stops the rest.
    private func supervise(_ children: [ChildProcess]) async throws {
        let stopping = StopFlag()
        await withDiscardingTaskGroup { group in
            for child in children {
                group.addTask {
                    let status = await child.exitStatus()
                    if !stopping.isSet {
                        output.line("concord up: \(child.name) (pid \(child.pid)) exited with status \(status); it is not restarted (log: \(child.logPath))")
                    }
                }
            }
            group.addTask {
                try? await gracefulShutdown()
                stopping.set()
                output.line("concord up: stopping")
                await stopAll(children)
            }
        }
    }

    /// Stops the clients (controller, agents) first and only then the control planes. Stopped all at
    /// once, the controller spent its graceful shutdown (4–5 s) draining reconciles against servers
    /// that were going away (refused connections, retries); with the servers still up it stops in
    /// tens of milliseconds, and servers with no clients left stop as fast.
    private func stopAll(_ children: [ChildProcess]) async {
        for tier in [children.filter { !$0.servesAPI }, children.filter(\.servesAPI)] {
            await withDiscardingTaskGroup { group in
                for child in tier { group.addTask { await child.stop() } }
            }
        }
    }

    /// Waits for the control plane `child` started on `port`. A port is chosen free and bound by the
    /// server a moment later, and in between any process's outgoing connection may take it; a server
    /// that exited for that reason is started again on a fresh port (at most three times), replacing
    /// `child` in `children`.
    func waitForServer(
        _ name: String, dataDir: String, kubeconfig: String, member: Bool, child: ChildProcess, port: Int, children: inout [ChildProcess],
        extra: [String] = []
    ) async throws -> (api: HubBootstrap, child: ChildProcess, port: Int) {
        var child = child, port = port, attempt = 0
        while true {
            attempt += 1
            do {
                return (try await HubBootstrap.waitForServer(name: name, kubeconfig: kubeconfig, child: child), child, port)
            } catch let error as UpError {
                guard attempt <= 3, !child.isRunning, Self.lostItsPort(logPath: child.logPath) else { throw error }
                let taken = port
                port = try freeLoopbackPort()
                output.line("  … \(name): port \(taken) was taken by another process before the server bound it; starting it on \(port)")
                let dead = child.pid
                child = try startServer(name: name, dataDir: dataDir, port: port, member: member, extra: extra)
                children.removeAll { $0.pid == dead }
                children.append(child)
            }
        }
    }

    /// Starts `concord controller` against the hub, serving /metrics and its probes where `layout` says.
    private func startController(_ layout: UpLayout.Controller) throws -> ChildProcess {
        try ChildProcess.start(
            name: "controller", executable: executable,
            arguments: [
                "controller", "--kubeconfig", hubKubeconfigPath,
                "--metrics-bind-address", layout.metrics ?? "0", "--health-probe-bind-address", layout.health ?? "0",
            ],
            logPath: layout.log)
    }

    /// True when the last lines of a server's log say its listening port was in use.
    static func lostItsPort(logPath: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: logPath) else { return false }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 512 ? size - 512 : 0)
        let tail = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        return tail.contains("Address already in use")
    }

    /// The simulated pod network of the `index`th member: 10.244.0.0/16 for the first, then 10.243,
    /// 10.242 and so on, so that no two members' synthetic pod addresses are the same.
    static func podNetwork(_ index: Int) -> String {
        "10.\(Int(WorkloadSimulation.defaultPodNetwork) - index % 200).0.0/16"
    }

    /// Starts `concord server --tls` on a data dir. Its kubeconfig names an https:// server, the CA generated
    /// in the data dir and the token, so kubectl, the controller and agents verify the server. A kubeconfig left
    /// from an earlier run is removed first, so nobody reads it before the server writes the current one.
    /// Members simulate workloads (Deployments become available, Services get EndpointSlices), so
    /// what the federation places on them can be tried at once. `extra` arguments follow (the hub's storage).
    func startServer(name: String, dataDir: String, port: Int, member: Bool, extra: [String] = []) throws -> ChildProcess {
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        try FileManager.default.removeItemIfPresent(atPath: (dataDir as NSString).appendingPathComponent("kubeconfig"))
        return try ChildProcess.start(
            name: name, executable: executable, servesAPI: true,
            arguments: ["server", "--data-dir", dataDir, "--port", String(port), "--tls"] + (member ? ["--simulate-workloads"] : []) + extra,
            logPath: directory.appendingPathComponent("logs/\(name).log").path)
    }
}

/// Progress lines for a person watching `concord up`.
struct ProgressOutput: Sendable {
    /// Writes a line to standard output, unbuffered, so progress shows even when piped.
    func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints `  ✓ what  detail`.
    func step(_ what: String, _ detail: String) {
        line("  ✓ " + what.padding(toLength: max(what.count, 34), withPad: " ", startingAt: 0) + " " + detail)
    }
}

extension FileManager {
    /// Removes a file if it exists.
    func removeItemIfPresent(atPath path: String) throws {
        if fileExists(atPath: path) { try removeItem(atPath: path) }
    }
}

/// A flag set once, read from many tasks.
final class StopFlag: Sendable {
    private let value = Mutex(false)
    /// True once `set()` ran.
    var isSet: Bool { value.withLock { $0 } }
    /// Sets the flag.
    func set() { value.withLock { $0 = true } }
}
