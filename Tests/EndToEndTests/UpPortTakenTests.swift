import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `concord up` whose controller finds its probe port taken by another process (as when a port
/// picked for it had been handed to a member too) starts the controller again on free ports and
/// records them in up.json, instead of waiting a minute for Datacenters that never turn Ready.
@Suite(.serialized) struct UpPortTakenTests {
    @Test func aControllerWhoseProbePortIsTakenIsStartedAgainOnFreePorts() async throws {
        let dir = try makeTempDirectory("concord-up-port")
        defer { removeTestDirectory(dir) }
        let ports = try loopbackFreePorts(4)
        // Another process listens on the port up.json (kept from an earlier run) gives the controller's probes.
        let taken = ports[3]
        let listener = try Self.listen(on: taken)
        defer { close(listener) }
        let layout: [String: Any] = [
            "hub": ["port": ports[0], "dataDir": "\(dir.path)/hub", "kubeconfig": "\(dir.path)/hub/kubeconfig"],
            "datacenters": [[
                "name": "us-east", "region": "us-east-1", "port": ports[1], "dataDir": "\(dir.path)/us-east", "kubeconfig": "\(dir.path)/us-east/kubeconfig",
            ]],
            "controller": ["log": "\(dir.path)/logs/controller.log", "metrics": "127.0.0.1:\(ports[2])", "health": "127.0.0.1:\(taken)"],
        ]
        try JSONSerialization.data(withJSONObject: layout).write(to: dir.appendingPathComponent("up.json"))

        let up = try Background(try concordBinary(), ["up", "--datacenters", "1", "--data-dir", dir.path], logPath: dir.appendingPathComponent("up.log").path)
        var children: [Int32] = []
        defer {
            up.signal(SIGKILL)
            for pid in children { kill(pid, SIGKILL) }
        }
        let started = try await eventually(timeout: .seconds(90), every: .milliseconds(200)) {
            guard up.exitStatus == nil else { throw E2EError("concord up exited:\n\(up.log)") }
            return up.log.contains("kubectl get datacenters")
        }
        #expect(started, "concord up did not finish starting:\n\(up.log)")
        let running = try JSONDecoder().decode(UpEndToEndTests.Layout.self, from: Data(contentsOf: dir.appendingPathComponent("up.json")))
        children = running.pids
        #expect(up.log.contains("127.0.0.1:\(taken) was taken by another process before it bound it; started it again"), "\(up.log)")
        #expect(running.hub.port == ports[0] && running.datacenters.map(\.port) == [ports[1]], "the other ports are kept")
        let health = try UpEndToEndTests.loopbackPort(running.controller?.health)
        let metrics = try UpEndToEndTests.loopbackPort(running.controller?.metrics)
        #expect(health != taken && Set([health, metrics]).isDisjoint(with: ports), "fresh ports: \(health), \(metrics)")
        #expect(try await httpGet(port: health, "/readyz").code == 200)
        #expect(try await httpGet(port: metrics, "/metrics").code == 200)
        let kubectl = try Kubectl(kubeconfig: dir.appendingPathComponent("hub.kubeconfig").path)
        #expect(try await kubectl("get", "dc", "us-east", "-o", "jsonpath={.status.phase}").stdout == "Ready")
    }

    /// A socket listening on 127.0.0.1:`port`.
    static func listen(on port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard fd >= 0, bound == 0, Glibc.listen(fd, 8) == 0 else {
            close(fd)
            throw E2EError("cannot listen on 127.0.0.1:\(port): errno \(errno)")
        }
        return fd
    }
}
