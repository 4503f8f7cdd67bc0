import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@testable import ConcordCLI

struct UpLayoutTests {
    @Test func upJSONHasTheDocumentedShape() throws {
        let layout = UpLayout(
            hub: .init(port: 7000, pid: 10, dataDir: "/d/hub", kubeconfig: "/d/hub/kubeconfig"),
            datacenters: [.init(name: "us-east", region: "us-east-1", port: 7001, pid: 11, dataDir: "/d/us-east", kubeconfig: "/d/us-east/kubeconfig")],
            controller: .init(pid: 12, log: "/d/logs/controller.log", metrics: "127.0.0.1:7100", health: "127.0.0.1:7101"))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(layout)) as? [String: Any]
        let hub = json?["hub"] as? [String: Any]
        #expect(hub?["port"] as? Int == 7000)
        #expect(hub?["pid"] as? Int == 10)
        #expect(hub?["kubeconfig"] as? String == "/d/hub/kubeconfig")
        let dc = (json?["datacenters"] as? [[String: Any]])?.first
        #expect(dc?["name"] as? String == "us-east")
        #expect(dc?["region"] as? String == "us-east-1")
        #expect(dc?["port"] as? Int == 7001)
        #expect(dc?["dataDir"] as? String == "/d/us-east")
        #expect(dc?["kubeconfig"] as? String == "/d/us-east/kubeconfig")
        let controller = json?["controller"] as? [String: Any]
        #expect(controller?["pid"] as? Int == 12)
        #expect(controller?["log"] as? String == "/d/logs/controller.log")
        #expect(controller?["metrics"] as? String == "127.0.0.1:7100")
        #expect(controller?["health"] as? String == "127.0.0.1:7101")
        #expect(try JSONDecoder().decode(UpLayout.self, from: JSONEncoder().encode(layout)) == layout)
    }

    @Test func aServerThatLostItsPortIsToldApartFromOtherFailures() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("up-port-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { removeDirectory(dir) }
        let lost = dir.appendingPathComponent("lost.log").path
        let longLog = String(repeating: "info concord.server: a line of start-up logging\n", count: 200)
        try (longLog + "Error: bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)\n").write(toFile: lost, atomically: true, encoding: .utf8)
        #expect(LocalFederation.lostItsPort(logPath: lost))
        let other = dir.appendingPathComponent("other.log").path
        try (longLog + "Error: the data directory is locked by another concord server\n").write(toFile: other, atomically: true, encoding: .utf8)
        #expect(!LocalFederation.lostItsPort(logPath: other))
        #expect(!LocalFederation.lostItsPort(logPath: dir.appendingPathComponent("missing.log").path))
    }

    @Test func aPlanGivesEveryProcessItsOwnLoopbackPortsAndWritesNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("up-plan-\(UUID().uuidString)")
        defer { removeDirectory(dir) }
        let layout = try UpLayout.plan(in: dir, datacenters: 3)
        #expect(layout.datacenters.map(\.name) == ["us-east", "us-west", "eu-central"])
        let controller = try #require(layout.controller)
        #expect(controller.log == dir.path + "/logs/controller.log")
        let addresses = [controller.metrics, controller.health].compactMap { $0 }
        #expect(addresses.count == 2 && addresses.allSatisfy { $0.hasPrefix("127.0.0.1:") }, "\(addresses)")
        let ports = [layout.hub.port] + layout.datacenters.map(\.port) + addresses.compactMap { $0.split(separator: ":").last.flatMap { Int($0) } }
        #expect(Set(ports).count == 6, "\(ports)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("up.json").path), "up.json waits until the Datacenters are registered")
    }

    @Test func aRerunReusesPortsAndRemovesTheOldUpJSON() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("up-plan-\(UUID().uuidString)")
        defer { removeDirectory(dir) }
        var first = try UpLayout.plan(in: dir, datacenters: 2)
        first.hub.pid = 100
        first.datacenters[0].pid = 101
        first.controller?.pid = 103
        try first.write(to: dir)
        let upJSON = dir.appendingPathComponent("up.json").path
        #expect(FileManager.default.fileExists(atPath: upJSON))

        let second = try UpLayout.plan(in: dir, datacenters: 3)
        #expect(!FileManager.default.fileExists(atPath: upJSON), "the old up.json names processes that are gone")
        #expect(second.hub.port == first.hub.port && second.hub.pid == nil)
        #expect(Array(second.datacenters.prefix(2).map(\.port)) == first.datacenters.map(\.port))
        #expect(second.datacenters.allSatisfy { $0.pid == nil })
        #expect(second.controller?.metrics == first.controller?.metrics && second.controller?.health == first.controller?.health)
        #expect(second.controller?.pid == nil)
    }

    @Test func anHAPlanAddsThreeEtcdMembersAndASecondHubServerAndARerunKeepsTheirPorts() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("up-plan-\(UUID().uuidString)")
        defer { removeDirectory(dir) }
        #expect(try UpLayout.plan(in: dir, datacenters: 1).etcd == nil, "without --ha the hub keeps SQLite")
        var first = try UpLayout.plan(in: dir, datacenters: 1, ha: true)
        let etcd = try #require(first.etcd)
        let replica = try #require(first.hubReplica)
        #expect(etcd.map(\.name) == ["etcd-0", "etcd-1", "etcd-2"])
        #expect(etcd.map(\.dataDir) == ["etcd-0", "etcd-1", "etcd-2"].map { dir.path + "/" + $0 })
        #expect(replica.dataDir == dir.path + "/hub-2" && replica.kubeconfig == dir.path + "/hub-2/kubeconfig")
        let ports = [first.hub.port, replica.port, first.datacenters[0].port] + etcd.flatMap { [$0.clientPort, $0.peerPort] }
        #expect(Set(ports).count == ports.count, "\(ports)")
        #expect(HubEtcd.endpoints(etcd) == etcd.map { "http://127.0.0.1:\($0.clientPort)" }.joined(separator: ","))

        first.etcd?[0].pid = 200
        first.hubReplica?.pid = 201
        try first.write(to: dir)
        let second = try UpLayout.plan(in: dir, datacenters: 1, ha: true)
        #expect(second.etcd?.map(\.clientPort) == etcd.map(\.clientPort) && second.etcd?.map(\.peerPort) == etcd.map(\.peerPort), "etcd keeps its peer URLs in its data")
        #expect(second.etcd?.allSatisfy { $0.pid == nil } == true)
        #expect(second.hubReplica?.port == replica.port && second.hubReplica?.pid == nil)
    }

    @Test func anUnreadableUpJSONIsAClearError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("up-plan-\(UUID().uuidString)")
        defer { removeDirectory(dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("{".utf8).write(to: dir.appendingPathComponent("up.json"))
        #expect {
            _ = try UpLayout.plan(in: dir, datacenters: 1)
        } throws: { error in
            "\(error)".contains("is not a valid up.json") && "\(error)".contains("remove it or choose another --data-dir")
        }
    }

    @Test func datacentersAreNamedAfterRegions() {
        #expect(DatacenterCatalog.entry(0) == ("us-east", "us-east-1"))
        #expect(DatacenterCatalog.entry(1) == ("us-west", "us-west-2"))
        #expect(DatacenterCatalog.entry(2) == ("eu-central", "eu-central-1"))
        #expect(DatacenterCatalog.entry(20) == ("dc-21", "local-21"))
    }

    @Test func portsTakenTogetherAreDistinctNeverExcludedAndFreeOnceReleased() throws {
        var ports = LoopbackPorts()
        let taken = try (0..<200).map { _ in try ports.take() }
        ports.release()
        #expect(Set(taken).count == taken.count, "a port was handed out twice")
        #expect(taken.allSatisfy { $0 > 0 && $0 < 65536 })
        // Ports of an earlier run are never handed out again, even once free.
        var next = LoopbackPorts()
        next.exclude(taken)
        let fresh = try (0..<200).map { _ in try next.take() }
        next.release()
        #expect(Set(fresh).isDisjoint(with: taken))
        // Released ports can be bound by the process they were picked for.
        var again = LoopbackPorts()
        again.exclude(fresh)
        let probe = try again.take()
        again.release()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(probe).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(bound == 0, "port \(probe) is still held after release()")
    }

    @Test func aRerunThatAddsDatacentersGivesThemPortsNoEarlierProcessHas() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("up-plan-\(UUID().uuidString)")
        defer { removeDirectory(dir) }
        let first = try UpLayout.plan(in: dir, datacenters: 1, ha: true)
        try first.write(to: dir)
        let second = try UpLayout.plan(in: dir, datacenters: 20, ha: true)
        #expect(Set(second.ports).count == second.ports.count, "\(second.ports)")
        #expect(Set(first.ports).isSubset(of: Set(second.ports)))
    }
}

/// Removes a test's directory; a failure is recorded, not swallowed.
func removeDirectory(_ url: URL) {
    do {
        try FileManager.default.removeItem(at: url)
    } catch {
        Issue.record("could not remove the test directory \(url.path): \(error)")
    }
}
