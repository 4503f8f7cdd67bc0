import ControlPlane
import Foundation
import KubeClient

/// The highly available hub of `concord up --ha`: a 3-member etcd cluster and two `concord server
/// --storage etcd` processes on it. The second server shares the first's CA (so one kubeconfig trusts
/// both) and token; DIR/hub.kubeconfig names the first server, for kubectl, and lists both in its
/// `federation.concord.dev/servers` extension, so the controller and agents fail over between them.
extension LocalFederation {
    /// Starts the etcd members (when `--ha`) and waits until they have a leader; returns them with etcd's pids.
    func startHubEtcd(_ layout: UpLayout, children: inout [ChildProcess]) async throws -> [UpLayout.EtcdMember]? {
        guard let members = layout.etcd else { return nil }
        let started = try HubEtcd.start(members, etcd: try HubEtcd.executable(), logs: directory.appendingPathComponent("logs"))
        children += started
        try await HubEtcd.waitUntilHealthy(members, children: started)
        let running = members.map { m in
            var m = m
            m.pid = HubEtcd.pid(of: m)
            return m
        }
        output.step("hub etcd", "\(members.count) members, \(HubEtcd.endpoints(members)) (pids \(running.compactMap(\.pid).map(String.init).joined(separator: ", ")))")
        return running
    }

    /// The hub servers' storage arguments: etcd with `--ha`, else none (SQLite in the data dir).
    func hubStorage(_ layout: UpLayout) -> [String] {
        guard let members = layout.etcd else { return [] }
        return ["--storage", "etcd", "--etcd-endpoints", HubEtcd.endpoints(members)]
    }

    /// Starts the second hub server with the first's CA and token, waits until it is ready, and writes
    /// DIR/hub.kubeconfig listing both servers. Returns the replica as it runs.
    func startHubReplica(_ replica: UpLayout.Hub, layout: UpLayout, hubPort: Int, children: inout [ChildProcess]) async throws -> UpLayout.Hub {
        try FileManager.default.createDirectory(atPath: replica.dataDir, withIntermediateDirectories: true)
        for file in [ServingCertificates.File.caCertificate, ServingCertificates.File.caKey, "token"] {
            let source = (layout.hub.dataDir as NSString).appendingPathComponent(file)
            let target = (replica.dataDir as NSString).appendingPathComponent(file)
            try FileManager.default.removeItemIfPresent(atPath: target)
            try FileManager.default.copyItem(atPath: source, toPath: target)
        }
        let extra = hubStorage(layout)
        let child = try startServer(name: "hub-2", dataDir: replica.dataDir, port: replica.port, member: false, extra: extra)
        children.append(child)
        let started = try await waitForServer(
            "hub-2", dataDir: replica.dataDir, kubeconfig: replica.kubeconfig, member: false, child: child, port: replica.port, children: &children, extra: extra)
        try await started.api.shutdown()
        var running = replica
        running.pid = started.child.pid
        running.port = started.port
        output.step("second hub control plane", "127.0.0.1:\(started.port) (pid \(started.child.pid)), same etcd")

        let servers = ["https://127.0.0.1:\(hubPort)", "https://127.0.0.1:\(started.port)"]
        let kubeconfig = try ServersExtension.adding(
            servers: servers, to: try String(contentsOfFile: layout.hub.kubeconfig, encoding: .utf8), source: layout.hub.kubeconfig)
        guard FileManager.default.createFile(atPath: hubKubeconfigPath, contents: Data(kubeconfig.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw UpError("cannot write \(hubKubeconfigPath)")
        }
        output.step("hub.kubeconfig", "kubectl uses \(servers[0]); the controller and agents fail over to \(servers[1])")
        return running
    }
}
