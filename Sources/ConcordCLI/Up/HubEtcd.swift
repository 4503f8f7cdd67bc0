import Foundation
import KubeClient
import KubernetesAPI

/// The hub's etcd cluster of `concord up --ha`: three members on loopback, each a child of
/// `concord up` that stops with it.
///
/// Each member runs under a small shell that records etcd's own process id (up.json lists it, so
/// `kill -9` hits etcd itself), forwards SIGTERM to it, and kills it when `concord up` is gone
/// (its lifeline, descriptor 3, reads end-of-file).
enum HubEtcd {
    /// Members in the cluster: a majority of two survives the loss of any one.
    static let memberCount = 3

    /// The `etcd` binary on PATH; a one-line error with the fix when it is missing.
    static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(dir)/etcd"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw UpError("--ha needs etcd, which is not installed: run `sudo apt-get install etcd-server` (or hack/setup.sh), then concord up --ha again")
    }

    /// `--etcd-endpoints` for the members.
    static func endpoints(_ members: [UpLayout.EtcdMember]) -> String {
        members.map { "http://127.0.0.1:\($0.clientPort)" }.joined(separator: ",")
    }

    /// Starts every member. A member whose data directory exists rejoins with its data (etcd then
    /// ignores the initial-cluster flags).
    static func start(_ members: [UpLayout.EtcdMember], etcd: String, logs: URL) throws -> [ChildProcess] {
        let cluster = members.map { "\($0.name)=http://127.0.0.1:\($0.peerPort)" }.joined(separator: ",")
        let script = #"""
            etcd="$1"; pidfile="$2"; shift 2
            "$etcd" "$@" </dev/null 3<&- & pid=$!
            echo "$pid" > "$pidfile"
            trap 'kill "$pid" 2>/dev/null' TERM INT
            ( read -r _ <&3; kill -9 "$pid" 2>/dev/null ) & watcher=$!
            status=0
            while kill -0 "$pid" 2>/dev/null; do wait "$pid"; status=$?; done
            kill "$watcher" 2>/dev/null
            exit "$status"
            """#
        return try members.map { m in
            try FileManager.default.removeItemIfPresent(atPath: pidFile(m))
            let client = "http://127.0.0.1:\(m.clientPort)", peer = "http://127.0.0.1:\(m.peerPort)"
            return try ChildProcess.start(
                name: m.name, executable: "/bin/bash", servesAPI: true,
                arguments: [
                    "-c", script, "bash", etcd, pidFile(m),
                    "--name", m.name, "--data-dir", m.dataDir,
                    "--listen-client-urls", client, "--advertise-client-urls", client,
                    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                    "--initial-cluster", cluster, "--initial-cluster-state", "new", "--initial-cluster-token", "concord-up-hub",
                    "--heartbeat-interval", "100", "--election-timeout", "1000", "--log-level", "warn",
                ],
                logPath: logs.appendingPathComponent("\(m.name).log").path)
        }
    }

    /// etcd's own process id, once its shell has recorded it.
    static func pid(of member: UpLayout.EtcdMember) -> Int32? {
        guard let text = try? String(contentsOfFile: pidFile(member), encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func pidFile(_ member: UpLayout.EtcdMember) -> String { member.dataDir + ".pid" }

    /// Waits until every member reports itself healthy (it has a leader) on `/health`.
    static func waitUntilHealthy(_ members: [UpLayout.EtcdMember], children: [ChildProcess], timeout: Duration = .seconds(60)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        for (member, child) in zip(members, children) {
            let client = try KubeClient(configuration: ClientConfiguration(server: URL(string: "http://127.0.0.1:\(member.clientPort)")!, maxRetries: 0))
            do {
                while !(await healthy(client)) {
                    guard child.isRunning else { throw UpError("etcd member \(member.name) exited during start-up; see \(child.logPath)") }
                    guard clock.now < deadline else { throw UpError("etcd member \(member.name) was not healthy within \(timeout); see \(child.logPath)") }
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    private static func healthy(_ client: KubeClient) async -> Bool {
        do {
            let response = try await client.send(KubeRequest(method: .get, path: "/health", timeout: .seconds(2)))
            return try JSONValue(parsing: response.body)["health"]?.stringValue == "true"
        } catch {
            return false
        }
    }
}
