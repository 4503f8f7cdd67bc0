import Foundation

/// The on-disk description of a local federation, written to `DIR/up.json`.
///
/// Re-running `concord up` on the same directory reads it back and reuses every port and data dir.
struct UpLayout: Codable, Equatable, Sendable {
    /// The hub control plane.
    struct Hub: Codable, Equatable, Sendable {
        var port: Int
        var pid: Int32?
        var dataDir: String
        var kubeconfig: String
    }

    /// One member control plane.
    struct Member: Codable, Equatable, Sendable {
        var name: String
        var region: String
        var port: Int
        var pid: Int32?
        var dataDir: String
        var kubeconfig: String
    }

    /// The controller process, with the loopback addresses of its `/metrics` and of its
    /// `/healthz` and `/readyz` probes (`127.0.0.1:PORT`, so a local Prometheus can scrape it).
    struct Controller: Codable, Equatable, Sendable {
        var pid: Int32? = nil
        var log: String
        var metrics: String? = nil
        var health: String? = nil
    }

    /// One member of the hub's etcd cluster (`up --ha`); `pid` is etcd's own, for `kill -9`.
    struct EtcdMember: Codable, Equatable, Sendable {
        var name: String
        var clientPort: Int
        var peerPort: Int
        var pid: Int32?
        var dataDir: String
    }

    var hub: Hub
    var datacenters: [Member]
    var controller: Controller?
    /// The second hub server on the same etcd (`up --ha`).
    var hubReplica: Hub? = nil
    /// The hub's etcd members (`up --ha`).
    var etcd: [EtcdMember]? = nil
}

extension UpLayout {
    /// Every port the layout names (kept when `concord up` runs again on the same directory).
    var ports: [Int] {
        var all = [hub.port] + datacenters.map(\.port) + (hubReplica.map { [$0.port] } ?? [])
        for address in [controller?.metrics, controller?.health] {
            if let port = address?.split(separator: ":").last.flatMap({ Int($0) }) { all.append(port) }
        }
        for member in etcd ?? [] { all += [member.clientPort, member.peerPort] }
        return all
    }
    /// The layout for `datacenters` members in `directory`: an `up.json` left there is read back (same
    /// ports, same data dirs) and removed, so until this run writes its own nobody mistakes the
    /// processes it names for running ones; everything new gets free loopback ports.
    static func plan(in directory: URL, datacenters count: Int, ha: Bool = false) throws -> UpLayout {
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("up.json")
        var existing: UpLayout?
        if FileManager.default.fileExists(atPath: file.path) {
            do {
                existing = try JSONDecoder().decode(UpLayout.self, from: Data(contentsOf: file))
            } catch {
                throw UpError("\(file.path) is not a valid up.json (\(error)); remove it or choose another --data-dir")
            }
            try FileManager.default.removeItem(at: file)
        }
        let dir = directory.path
        var ports = LoopbackPorts()
        defer { ports.release() }
        if let existing { ports.exclude(existing.ports) }
        var hub = try existing?.hub ?? Hub(port: ports.take(), pid: nil, dataDir: "\(dir)/hub", kubeconfig: "\(dir)/hub/kubeconfig")
        hub.pid = nil
        var members: [Member] = []
        for i in 0..<count {
            let (name, region) = DatacenterCatalog.entry(i)
            if var known = existing?.datacenters.first(where: { $0.name == name }) {
                known.pid = nil
                members.append(known)
            } else {
                members.append(.init(name: name, region: region, port: try ports.take(), pid: nil, dataDir: "\(dir)/\(name)", kubeconfig: "\(dir)/\(name)/kubeconfig"))
            }
        }
        let controller = Controller(
            log: "\(dir)/logs/controller.log",
            metrics: try existing?.controller?.metrics ?? "127.0.0.1:\(ports.take())",
            health: try existing?.controller?.health ?? "127.0.0.1:\(ports.take())")
        var layout = UpLayout(hub: hub, datacenters: members, controller: controller)
        if ha {
            var replica = try existing?.hubReplica ?? Hub(port: ports.take(), pid: nil, dataDir: "\(dir)/hub-2", kubeconfig: "\(dir)/hub-2/kubeconfig")
            replica.pid = nil
            layout.hubReplica = replica
            layout.etcd = try (0..<HubEtcd.memberCount).map { i in
                if var known = existing?.etcd?.first(where: { $0.name == "etcd-\(i)" }) {
                    known.pid = nil
                    return known
                }
                return EtcdMember(name: "etcd-\(i)", clientPort: try ports.take(), peerPort: try ports.take(), pid: nil, dataDir: "\(dir)/etcd-\(i)")
            }
        }
        return layout
    }

    /// Writes `directory/up.json` atomically (sorted keys, so it diffs well).
    func write(to directory: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(self).write(to: directory.appendingPathComponent("up.json"), options: .atomic)
    }
}

/// The names and regions `concord up` gives its datacenters, in order.
enum DatacenterCatalog {
    /// `(name, region)` pairs; beyond the list, `dc-N` in `local-N`.
    static let known: [(name: String, region: String)] = [
        ("us-east", "us-east-1"), ("us-west", "us-west-2"), ("eu-central", "eu-central-1"),
        ("ap-south", "ap-south-1"), ("eu-west", "eu-west-1"), ("ap-northeast", "ap-northeast-1"),
        ("sa-east", "sa-east-1"), ("ca-central", "ca-central-1"), ("af-south", "af-south-1"),
        ("me-central", "me-central-1"),
    ]

    /// The i-th datacenter's name and region (0-based).
    static func entry(_ i: Int) -> (name: String, region: String) {
        i < known.count ? known[i] : ("dc-\(i + 1)", "local-\(i + 1)")
    }
}

/// A failure of `concord up`, printed as one line.
struct UpError: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    var description: String
    init(_ description: String) { self.description = description }
}

/// Asks the kernel for a free loopback TCP port by binding port 0.
func freeLoopbackPort() throws -> Int {
    var ports = LoopbackPorts()
    defer { ports.release() }
    return try ports.take()
}

/// Free loopback TCP ports, each different: every port handed out stays bound (and so cannot be
/// handed out again, by the kernel or by this) until `release()`. Ports picked one at a time with
/// the socket closed in between can repeat: a member's API port once came back as the
/// controller's probe port, and the controller could not bind it.
struct LoopbackPorts {
    private var sockets: [Int32] = []
    private var taken: Set<Int> = []

    /// Marks ports as in use already (a layout's ports kept from an earlier run), so `take()` never returns them.
    mutating func exclude(_ ports: [Int]) { taken.formUnion(ports) }

    /// A free port, bound until `release()`, and different from every port taken or excluded.
    mutating func take() throws -> Int {
        for _ in 0..<16 {
            let (fd, port) = try Self.bindAny()
            sockets.append(fd)
            if taken.insert(port).inserted { return port }
        }
        throw UpError("cannot find a free loopback port: the kernel keeps handing out ports already in use")
    }

    /// Closes every socket: the ports are free for the processes they were picked for.
    mutating func release() {
        for fd in sockets { close(fd) }
        sockets = []
    }

    /// A loopback TCP socket bound to a port the kernel chose, and that port.
    private static func bindAny() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw UpError("cannot create a socket to find a free port") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) }
        }
        guard bound == 0 else {
            close(fd)
            throw UpError("cannot bind a loopback socket to find a free port")
        }
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else {
            close(fd)
            throw UpError("cannot read the port the kernel chose")
        }
        return (fd, Int(UInt16(bigEndian: addr.sin_port)))
    }
}
