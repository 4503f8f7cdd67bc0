import FederationAPI
import Foundation
import KubeClient

extension DemoRun {
    /// The lost datacenter, rebuilt from the backup on a new control plane.
    func restore() async throws -> DemoScenario.Outcome {
        let hub = try requireHub()
        let lost = try lostPrimary()
        let dataDir = directory.appendingPathComponent("\(lost)-restored").path
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let port = try freeLoopbackPort()
        let child = try ChildProcess.start(
            name: "\(lost)-restored", executable: executable, servesAPI: true,
            arguments: ["server", "--data-dir", dataDir, "--port", String(port), "--tls", "--simulate-workloads"],
            logPath: directory.appendingPathComponent("logs/\(lost)-restored.log").path)
        setRestored(child)
        let kubeconfig = (dataDir as NSString).appendingPathComponent("kubeconfig")
        try await HubBootstrap.waitForServer(name: "\(lost)-restored", kubeconfig: kubeconfig, child: child).shutdown()
        output.line("    new control plane for \(lost): 127.0.0.1:\(port) (pid \(child.pid))")
        let archive = try BackupArchive.decode(try Data(contentsOf: URL(fileURLWithPath: archivePath)), file: archivePath)
        try await MemberRestore(archive: archive, hub: hub, datacenter: lost).run(kubeconfigPath: kubeconfig, wait: true)
        // The primary's own ConfigMap was never a replica, so it is not in the backup: replication
        // from the new primary brings it back.
        try await waitInMember(kubeconfig, "shop/flags to be replicated into the restored \(lost)", timeout: .seconds(30)) { member in
            (try? await member.resource(ConfigMap.self).get("flags", namespace: Self.namespace))?.data?["color"] == "blue"
        }
        let dc = try await hub.resource(Datacenter.self).get(lost)
        let state = "\(dc.status?.phase?.rawValue ?? "?"), \(dc.status?.role?.rawValue ?? "?") at epoch \(currentEpoch)"
        return .init(measured: "hub: \(lost) \(state), shop/flags replicated back (from the new server's start)")
    }

    /// The restored datacenter made primary again through `concord datacenter promote`.
    func failback() async throws -> DemoScenario.Outcome {
        let hub = try requireHub()
        let lost = try lostPrimary()
        try await PromoteFlow(hub: hub, name: lost, policy: nil, timeout: .seconds(90), wait: true).run()
        let status = try await hub.resource(FederationPolicy.self).get(Self.policy).status
        guard status?.primary == lost else { throw CLIError("\(lost) is not primary after the failback (primary: \(status?.primary ?? "none"))") }
        return .init(measured: "hub: \(lost) primary again at epoch \(status?.epoch ?? 0)")
    }

    /// Stops the restored control plane and closes the hub client.
    func shutdown() async {
        await restoredChild?.stop()
        try? await hubClient?.shutdown()
    }

    // MARK: - Helpers

    /// Polls `condition` every 200 ms until it holds; throws a one-line error naming `what` at the deadline.
    func waitUntil(_ what: String, timeout: Duration, _ condition: () async throws -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var last: (any Error)?
        while clock.now < deadline {
            do {
                if try await condition() { return }
                last = nil
            } catch {
                last = error
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw CLIError("timed out after \(timeout) waiting for \(what)\(last.map { " (last error: \($0))" } ?? "")")
    }

    /// Runs `body` with a client for the member `kubeconfig` names, shut down afterwards either way.
    func withMember(_ kubeconfig: String, _ body: (KubeClient) async throws -> Void) async throws {
        let member = try KubeClient(kubeconfigPath: kubeconfig)
        do {
            try await body(member)
        } catch {
            try? await member.shutdown()
            throw error
        }
        try await member.shutdown()
    }

    /// Polls `condition` with a client for the member `kubeconfig` names, shut down afterwards either way.
    func waitInMember(_ kubeconfig: String, _ what: String, timeout: Duration, _ condition: (KubeClient) async throws -> Bool) async throws {
        try await withMember(kubeconfig) { member in try await waitUntil(what, timeout: timeout) { try await condition(member) } }
    }

    /// The kubeconfig `concord up` wrote for member `name`.
    func kubeconfig(of name: String) throws -> String {
        guard let kubeconfig = layout?.datacenters.first(where: { $0.name == name })?.kubeconfig else { throw CLIError("no datacenter \(name) in up.json") }
        return kubeconfig
    }
}
