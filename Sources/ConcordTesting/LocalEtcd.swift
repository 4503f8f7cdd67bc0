import ControlPlane
import Foundation
import KubeClient
import KubernetesAPI
import Synchronization

/// An etcd cluster of one or more members on loopback, for tests: free ports, data in a temporary
/// directory, and members that die with the test process.
///
/// Each member runs under a small shell that reads a ``Lifeline``: when the test process exits, however
/// it exits, the shell reads end-of-file and kills its member. ``stop()`` also removes the data.
///
/// ```swift
/// let etcd = try await LocalEtcd.start(members: 3)
/// defer { etcd.stop() }
/// let store = try await EtcdObjectStore(configuration: .init(endpoints: etcd.clientURLs))
/// ```
public final class LocalEtcd: Sendable {
    /// One member.
    public struct Member: Sendable {
        /// The member's name (`m0`, `m1`, …).
        public let name: String
        /// Its client URL.
        public let clientURL: URL
        /// Its data directory.
        public let dataDirectory: String
        fileprivate let arguments: [String]
    }

    /// The members.
    public let members: [Member]
    /// The directory holding every member's data and log.
    public let directory: String

    /// The client URLs of every member.
    public var clientURLs: [URL] { members.map(\.clientURL) }

    /// `--etcd-endpoints` for these members.
    public var endpointsArgument: String { clientURLs.map(\.absoluteString).joined(separator: ",") }

    private let etcd: String
    /// Every shell started (a restarted member has several): `stop` ends them all.
    private let keepers = Mutex<[(lifeline: Lifeline, exited: DispatchSemaphore)]>([])

    private init(etcd: String, members: [Member], directory: String) throws {
        self.etcd = etcd
        self.members = members
        self.directory = directory
        for member in members { try spawn(member) }
    }

    /// Starts `members` etcd members on free loopback ports and waits until the cluster answers.
    /// Fails with the fix when `etcd` is not installed.
    public static func start(members count: Int = 1, timeout: Duration = .seconds(30)) async throws -> LocalEtcd {
        let etcd = try executable()
        var lastError: any Error = LocalEtcdError("etcd did not start")
        for _ in 0..<3 {
            let cluster = try launch(etcd: etcd, members: count)
            do {
                try await cluster.waitUntilServing(timeout: timeout)
                return cluster
            } catch {
                lastError = LocalEtcdError("\(error)\n\(cluster.logs())")
                cluster.stop()
            }
        }
        throw lastError
    }

    /// The path of the `etcd` binary; throws a clear error (never a skip) when it is missing.
    public static func executable() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(dir)/etcd"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw LocalEtcdError(
            "etcd is not installed (no etcd on PATH): the etcd storage tests need it. Run hack/setup.sh, which installs Debian's etcd-server with apt")
    }

    /// Starts the members without waiting for them (see ``waitUntilServing(timeout:)``).
    public static func launch(etcd: String? = nil, members count: Int = 1) throws -> LocalEtcd {
        let etcd = try etcd ?? executable()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("concord-etcd-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let picked = try loopbackFreePorts(2 * count)
        let ports = (0..<count).map { (client: picked[2 * $0], peer: picked[2 * $0 + 1]) }
        let names = (0..<count).map { "m\($0)" }
        let initialCluster = zip(names, ports).map { "\($0)=http://127.0.0.1:\($1.peer)" }.joined(separator: ",")
        let members = zip(names, ports).map { name, port in
            let data = "\(directory)/\(name)"
            let arguments = [
                "--name", name, "--data-dir", data,
                "--listen-client-urls", "http://127.0.0.1:\(port.client)", "--advertise-client-urls", "http://127.0.0.1:\(port.client)",
                "--listen-peer-urls", "http://127.0.0.1:\(port.peer)", "--initial-advertise-peer-urls", "http://127.0.0.1:\(port.peer)",
                "--initial-cluster", initialCluster, "--initial-cluster-state", "new", "--initial-cluster-token", directory,
                "--heartbeat-interval", "50", "--election-timeout", "500", "--log-level", "warn",
            ]
            return Member(name: name, clientURL: URL(string: "http://127.0.0.1:\(port.client)")!, dataDirectory: data, arguments: arguments)
        }
        return try LocalEtcd(etcd: etcd, members: members, directory: directory)
    }

    /// Starts a member's etcd under a shell that reads its lifeline (descriptor 3); end-of-file (this
    /// process is gone, or `stop` cut the lifeline) kills that etcd.
    private func spawn(_ member: Member) throws {
        // After end-of-file the cluster's directory goes too, so a test process that died leaves nothing behind.
        let script = #"etcd="$1"; shift; pidfile="$1"; shift; dir="$1"; shift; "$etcd" "$@" </dev/null 3<&- & pid=$!; echo $pid > "$pidfile"; read -r _ <&3; kill -9 $pid 2>/dev/null; rm -rf "$dir" 2>/dev/null || rm -rf "$dir""#
        let lifeline = try Lifeline()
        let exited = DispatchSemaphore(value: 0)
        do {
            _ = try ChildSpawn.spawn(
                executable: "/bin/bash", arguments: ["-c", script, "bash", etcd, member.dataDirectory + ".pid", directory] + member.arguments,
                environment: ProcessInfo.processInfo.environment, stdout: .appendingTo("\(directory)/\(member.name).log"),
                stderr: .appendingTo("\(directory)/\(member.name).log"), lifeline: lifeline
            ) { _ in exited.signal() }
        } catch {
            lifeline.cut()
            throw error
        }
        keepers.withLock { $0.append((lifeline, exited)) }
    }

    /// Kills a member's etcd with SIGKILL (a machine loss).
    public func kill(member: Int) {
        if let pid = pid(of: member) { Glibc.kill(pid, SIGKILL) }
    }

    /// Starts a killed member again on its data (it rejoins the cluster and catches up).
    public func restart(member: Int) throws {
        try spawn(members[member])
    }

    /// Waits until a write through the members succeeds (a leader is elected and every member answers).
    public func waitUntilServing(timeout: Duration = .seconds(30)) async throws {
        let transport = try EtcdHTTPTransport(configuration: EtcdStorageConfiguration(endpoints: clientURLs, requestTimeout: .seconds(2)))
        do {
            try await waitUntil("etcd at \(endpointsArgument) to serve", timeout: timeout, every: .milliseconds(50)) {
                do {
                    _ = try await transport.call("kv/put", ["key": "L2hlYWx0aA==", "value": "b2s="])
                    return true
                } catch {
                    return false
                }
            }
        } catch {
            try await transport.shutdown()
            throw error
        }
        try await transport.shutdown()
    }

    /// The process id of a member's etcd (for `kill -9` in failure tests), or nil once it is gone.
    public func pid(of member: Int) -> Int32? {
        guard let text = try? String(contentsOfFile: members[member].dataDirectory + ".pid", encoding: .utf8) else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The index of the member that is the Raft leader, as the live members report it (nil while none is).
    public func leader() async throws -> Int? { try await Self.leader(among: members.map(\.clientURL)) }

    /// The index of the Raft leader among etcd members with these client URLs (nil while none is),
    /// as the members that answer report it: also for members another process started.
    public static func leader(among clientURLs: [URL]) async throws -> Int? {
        for (index, url) in clientURLs.enumerated() {
            let transport = try EtcdHTTPTransport(configuration: EtcdStorageConfiguration(endpoints: [url], requestTimeout: .seconds(1)))
            let status: Data?
            do {
                status = try await transport.call("maintenance/status", [:])
            } catch {
                status = nil
            }
            try await transport.shutdown()
            guard let status else { continue }
            let json = try JSONValue(parsing: status)
            guard let leader = json["leader"]?.stringValue, let me = json.value(at: ["header", "member_id"])?.stringValue else { continue }
            if leader == me { return index }
        }
        return nil
    }

    /// Every member's log, for failure messages.
    public func logs() -> String {
        members.map { m in "--- etcd \(m.name):\n" + ((try? String(contentsOfFile: "\(directory)/\(m.name).log", encoding: .utf8)) ?? "") }
            .joined(separator: "\n")
    }

    /// Stops every member and removes the data (closing each lifeline ends its shell, which kills etcd).
    public func stop() {
        let all = keepers.withLock { k in
            defer { k = [] }
            return k
        }
        for keeper in all {
            keeper.lifeline.cut()
            keeper.exited.wait()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// etcd could not be started for a test.
public struct LocalEtcdError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, with the fix.
    public let description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
public func loopbackFreePort() throws -> Int {
    try loopbackFreePorts(1)[0]
}

/// `count` distinct TCP ports on 127.0.0.1 that were free a moment ago. Each stays bound until all
/// are picked: picked one at a time with the socket closed in between, a port can come back twice.
public func loopbackFreePorts(_ count: Int) throws -> [Int] {
    var sockets: [Int32] = []
    defer { for fd in sockets { close(fd) } }
    var ports: [Int] = []
    while ports.count < count {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LocalEtcdError("socket() failed: errno \(errno)") }
        sockets.append(fd)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw LocalEtcdError("bind() on 127.0.0.1 failed: errno \(errno)") }
        let named = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        guard named == 0 else { throw LocalEtcdError("getsockname() failed: errno \(errno)") }
        ports.append(Int(UInt16(bigEndian: address.sin_port)))
    }
    return ports
}
