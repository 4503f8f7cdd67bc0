import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of `concord server` right after acknowledged writes loses none of them.
@Suite(.serialized) struct ServerDurabilityTests {
    @Test func acknowledgedCreatesSurviveKill9() async throws {
        let dir = try makeTempDirectory("durability")
        defer { removeTestDirectory(dir) }
        let port = try freePort()
        let data = dir.appendingPathComponent("data")
        let first = try await ServerProcess.start(dataDir: data, port: port)
        let kubectl = try Kubectl(kubeconfig: first.kubeconfig)

        let count = 300
        var manifest = ""
        for i in 0..<count {
            manifest += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ack-\(i)\n  namespace: default\ndata:\n  i: \"\(i)\"\n"
        }
        let created = try await kubectl("create", "-f", "-", stdin: manifest, timeout: .seconds(120))
        #expect(created.succeeded, "kubectl create failed: \(created.stderr)")
        #expect(created.stdout.components(separatedBy: " created").count - 1 == count)

        // Every create above was acknowledged; kill the server without warning.
        first.process.signal(SIGKILL)
        #expect(await first.process.waitForExit(timeout: .seconds(10)) != nil)

        let second = try await ServerProcess.start(dataDir: data, port: port, logName: "server-restarted")
        defer { second.process.signal(SIGKILL) }
        let listed = try await kubectl("get", "configmaps", "-n", "default", "-o", "name")
        #expect(listed.succeeded, "\(listed.stderr)")
        let names = Set(listed.stdout.split(separator: "\n").map(String.init).filter { $0.hasPrefix("configmap/ack-") })
        #expect(names.count == count, "expected \(count) ConfigMaps after kill -9, found \(names.count)")
        let value = try await kubectl("get", "configmap", "ack-\(count - 1)", "-n", "default", "-o", "jsonpath={.data.i}")
        #expect(value.stdout == "\(count - 1)")
    }
}

/// A free loopback port.
func freePort() throws -> Int {
    try loopbackFreePort()
}
