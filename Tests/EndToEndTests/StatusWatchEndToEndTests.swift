import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `concord status --watch` redraws the screen in place until interrupted; `-o json` is one document.
@Suite(.serialized) struct StatusWatchEndToEndTests {
    @Test func watchRedrawsInPlaceAndJSONIsOneDocument() async throws {
        let bin = try concordBinary()
        let dir = try makeTempDirectory("concord-status-watch")
        defer { removeTestDirectory(dir) }
        let hub = try await ServerProcess.start(dataDir: dir.appendingPathComponent("hub"), logName: "hub")
        defer { hub.process.signal(SIGKILL) }
        let k = try Kubectl(kubeconfig: hub.kubeconfig)
        #expect(try await k("apply", "-f", Repo.crds).succeeded)
        try #require(try await k("wait", "--for=condition=Established", "crd", "--all", "--timeout=30s").succeeded)
        let applied = try await k("apply", "-f", Repo.root.appendingPathComponent("manifests/samples/datacenters.yaml").path)
        #expect(applied.succeeded, "\(applied.stderr)")

        let json = try await run(bin, ["status", "--kubeconfig", hub.kubeconfig, "-o", "json"])
        #expect(json.succeeded, "\(json.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let datacenters = document?["datacenters"] as? [[String: Any]]
        #expect((datacenters?.count ?? 0) > 0 && datacenters?.allSatisfy { $0["phase"] as? String == "Pending" } == true, "\(json.stdout)")

        let watch = try Background(bin, ["status", "--kubeconfig", hub.kubeconfig, "--watch", "--interval", "0.2"], logPath: dir.appendingPathComponent("watch.log").path)
        defer { watch.signal(SIGKILL) }
        let clear = "\u{1B}[H\u{1B}[2J"
        let redrawn = await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
            watch.log.components(separatedBy: clear).count >= 4
        }
        #expect(redrawn, "no three redraws:\n\(watch.log)")
        #expect(watch.log.contains("datacenters Ready"), "\(watch.log)")
        watch.signal(SIGINT)
        let exit = await watch.waitForExit(timeout: .seconds(10))
        #expect(exit != nil, "concord status --watch did not stop on SIGINT")
    }
}
