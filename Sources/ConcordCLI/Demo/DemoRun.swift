import FederationAPI
import Foundation
import KubeClient
#if canImport(Glibc)
import Glibc
#endif

/// The state of one demo run and the body of each step: it acts through the same code the
/// commands use (backup, restore, datacenter promote) and waits, with a deadline, for what the
/// controller does in answer.
actor DemoRun {
    let directory: URL
    let executable: String
    let output: ProgressOutput
    let clock = ContinuousClock()
    var hubClient: KubeClient?
    var layout: UpLayout?
    /// The primary in force, as the last step saw it.
    var primary = ""
    var currentEpoch: Int64 = 0
    /// The primary that was killed.
    var lost: String?
    var killedAt: ContinuousClock.Instant?
    var restoredChild: ChildProcess?
    static let namespace = "shop"
    static let policy = "global"

    init(directory: URL, executable: String, output: ProgressOutput) {
        self.directory = directory
        self.executable = executable
        self.output = output
    }

    var archivePath: String { directory.appendingPathComponent("federation.backup").path }

    /// Seconds in a duration.
    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// The hub client, once the federation is up.
    func requireHub() throws -> KubeClient {
        guard let hubClient else { throw CLIError("the federation is not up yet") }
        return hubClient
    }

    /// The primary the demo killed.
    func lostPrimary() throws -> String {
        guard let lost else { throw CLIError("no primary was killed yet") }
        return lost
    }

    /// Remembers the restored control plane, to stop it at the end.
    func setRestored(_ child: ChildProcess) { restoredChild = child }

    // MARK: - Steps

    func register() async throws -> DemoScenario.Outcome {
        let upJSON = directory.appendingPathComponent("up.json")
        try await waitUntil("up.json to be written", timeout: .seconds(120)) { FileManager.default.fileExists(atPath: upJSON.path) }
        let layout = try JSONDecoder().decode(UpLayout.self, from: Data(contentsOf: upJSON))
        self.layout = layout
        let hub = try KubeClient(kubeconfigPath: directory.appendingPathComponent("hub.kubeconfig").path)
        hubClient = hub
        try await waitUntil("every Datacenter Ready and a primary elected", timeout: .seconds(120)) {
            let ready = try await hub.resource(Datacenter.self).list().items.filter { $0.status?.phase == .ready }.count
            let status = try? await hub.resource(FederationPolicy.self).get(Self.policy).status
            return ready == layout.datacenters.count && (status?.epoch ?? 0) > 0 && status?.primary != nil
        }
        let status = try await hub.resource(FederationPolicy.self).get(Self.policy).status
        primary = status?.primary ?? ""
        currentEpoch = status?.epoch ?? 0
        return .init(measured: "hub: \(layout.datacenters.count) Datacenters Ready, \(primary) primary at epoch \(currentEpoch) (from the demo's start)")
    }

    func replicate() async throws -> DemoScenario.Outcome {
        let hub = try requireHub()
        try await withMember(try kubeconfig(of: primary)) { source in
            for client in [hub, source] {
                do {
                    _ = try await client.resource(Namespace.self).create(Namespace(name: Self.namespace))
                } catch let error as KubeAPIError where error.isAlreadyExists {}
            }
            _ = try await source.resource(ConfigMap.self).create(
                ConfigMap(metadata: ObjectMeta(name: "flags", namespace: Self.namespace, labels: ["scope": "global"]), data: ["color": "blue"]))
        }
        let start = clock.now
        let rule = ReplicationRule(
            metadata: ObjectMeta(name: "global-config", namespace: Self.namespace),
            spec: ReplicationRuleSpec(resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap", selector: LabelSelector(matchLabels: ["scope": "global"]))]))
        _ = try await hub.resource(ReplicationRule.self).create(rule)
        let targets = (layout?.datacenters ?? []).map(\.name).filter { $0 != primary }
        for name in targets {
            try await waitInMember(try kubeconfig(of: name), "the replica in \(name) (kubectl describe rr global-config -n shop)", timeout: .seconds(30)) { client in
                (try? await client.resource(ConfigMap.self).get("flags", namespace: Self.namespace))?.data?["color"] == "blue"
            }
        }
        return .init(measured: "members: the replica read back in \(targets.joined(separator: " and ")) (from the rule's creation)", seconds: Self.seconds(clock.now - start))
    }

    func backup() async throws -> DemoScenario.Outcome {
        let archive = try await BackupReader(hub: try requireHub()).read(now: Date())
        let data = try archive.encoded()
        guard FileManager.default.createFile(atPath: archivePath, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(archivePath)")
        }
        return .init(measured: "\(archivePath): \(data.count) bytes, \(archive.content.hub.count) hub objects")
    }

    func killPrimary() async throws -> DemoScenario.Outcome {
        let hub = try requireHub()
        guard let pid = layout?.datacenters.first(where: { $0.name == primary })?.pid else { throw CLIError("no pid for \(primary) in up.json") }
        output.line("    kill -9 \(pid)   # \(primary)'s control plane")
        kill(pid, SIGKILL)
        let killed = clock.now
        killedAt = killed
        lost = primary
        let name = primary
        try await waitUntil("\(name) to turn Unreachable", timeout: .seconds(60)) {
            try await hub.resource(Datacenter.self).get(name).status?.phase == .unreachable
        }
        return .init(measured: "hub: Datacenter \(name) Unreachable (from kill -9)", seconds: Self.seconds(clock.now - killed))
    }

    func promotion() async throws -> DemoScenario.Outcome {
        let hub = try requireHub()
        let (lost, before) = (primary, currentEpoch)
        try await waitUntil("a successor of \(lost) to be promoted", timeout: .seconds(120)) {
            let status = try await hub.resource(FederationPolicy.self).get(Self.policy).status
            return status?.primary != lost && (status?.epoch ?? 0) > before
        }
        let status = try await hub.resource(FederationPolicy.self).get(Self.policy).status
        primary = status?.primary ?? "?"
        currentEpoch = status?.epoch ?? before
        let since = killedAt.map { Self.seconds(clock.now - $0) }
        return .init(measured: "hub: \(primary) primary at epoch \(currentEpoch) (from kill -9 of \(lost))", seconds: since)
    }
}
