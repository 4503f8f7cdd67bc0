import ConcordTesting
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `concord up` running in a directory: the process, its layout (`up.json`), the pids of its
/// children, and kubectl for the hub and each member.
struct StartedFederation {
    let up: Background
    let layout: UpEndToEndTests.Layout
    let children: [Int32]
    let hubConfig: String
    let hub: Kubectl
    let members: [String: Kubectl]
    /// The `--data-dir` of `concord up`.
    let dir: URL

    /// Starts `concord up` with `datacenters` members (and `extraArguments`) in `dir` and waits until it is ready; on a
    /// failure every process it started is killed before the error is thrown.
    static func start(in dir: URL, datacenters: Int = 3, extraArguments: [String] = []) async throws -> StartedFederation {
        let up = try Background(
            try concordBinary(), ["up", "--datacenters", "\(datacenters)", "--data-dir", dir.path] + extraArguments, logPath: dir.appendingPathComponent("up.log").path)
        do {
            let started = try await eventually(timeout: .seconds(120), every: .milliseconds(200)) {
                guard up.exitStatus == nil else { throw E2EError("concord up exited:\n\(up.log)") }
                return up.log.contains("Press Ctrl-C")
            }
            guard started else { throw E2EError("concord up did not finish starting:\n\(up.log)") }
            let layout = try JSONDecoder().decode(UpEndToEndTests.Layout.self, from: Data(contentsOf: dir.appendingPathComponent("up.json")))
            var members: [String: Kubectl] = [:]
            for m in layout.datacenters { members[m.name] = try Kubectl(kubeconfig: m.kubeconfig) }
            let hubConfig = dir.appendingPathComponent("hub.kubeconfig").path
            return StartedFederation(
                up: up, layout: layout, children: ([layout.hub.pid, layout.controller?.pid] + layout.datacenters.map(\.pid)).compactMap { $0 },
                hubConfig: hubConfig, hub: try Kubectl(kubeconfig: hubConfig), members: members, dir: dir)
        } catch {
            up.signal(SIGKILL)
            throw error
        }
    }

    /// What a person debugging a failed wait reads first: the hub's Events in `namespace` and the
    /// controller's last warnings and errors.
    func diagnostics(namespace: String) async throws -> String {
        let result = try await hub("get", "events", "-n", namespace, "--sort-by=.lastTimestamp")
        let events = result.stdout + result.stderr
        let log = try String(contentsOf: dir.appendingPathComponent("logs/controller.log"), encoding: .utf8)
        let notable = log.split(separator: "\n").filter { $0.contains(" WARNING ") || $0.contains(" ERROR ") }.suffix(30)
        let latest = log.split(separator: "\n").suffix(30)
        let federated = try await hub("get", "servicefailovers,replicationrules", "-n", namespace, "-o", "yaml")
        return "events in \(namespace):\n\(events)\ncontroller warnings and errors (last 30):\n\(notable.joined(separator: "\n"))"
            + "\ncontroller log (last 30 lines):\n\(latest.joined(separator: "\n"))"
            + "\nServiceFailovers and ReplicationRules in \(namespace):\n\(federated.stdout)\(federated.stderr)"
    }

    /// Kills `concord up` and every child (for failure paths; a clean stop is SIGINT).
    func killAll() {
        up.signal(SIGKILL)
        for pid in children { kill(pid, SIGKILL) }
    }
}
