import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The built `concord validate` and `concord version` binaries, on files and against a running hub.
@Suite(.serialized) struct DayTwoCommandsEndToEndTests {
    static let brokenDatacenter = """
        apiVersion: federation.concord.dev/v1alpha1
        kind: Datacenter
        metadata:
          name: us-east
        spec:
          region: us-east-1
          credentialsRef: {name: us-east-kubeconfig}
          healthCheck:
            periodSeconds: 0
          modde: Push

        """

    static let policy = """
        apiVersion: federation.concord.dev/v1alpha1
        kind: FederationPolicy
        metadata: {name: global}
        spec:
          primary: us-east
          promotion:
            candidates: [mars]

        """

    @Test func validatePassesTheSamplesAndReportsBrokenFilesWithLines() async throws {
        let bin = try concordBinary()
        let samples = Repo.root.appendingPathComponent("manifests/samples").path
        let good = try await run(bin, ["validate", "-f", samples])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("3 Concord objects in 1 file: valid"), "\(good.stdout)")

        let dir = try makeTempDirectory("validate")
        defer { removeTestDirectory(dir) }
        let broken = dir.appendingPathComponent("broken.yaml")
        try Self.brokenDatacenter.write(to: broken, atomically: true, encoding: .utf8)
        let bad = try await run(bin, ["validate", "-f", broken.path])
        #expect(bad.status == 1)
        let lines = bad.stdout.split(separator: "\n").map(String.init)
        #expect(lines == [
            "\(broken.path):9: spec.healthCheck.periodSeconds: Invalid value: 0: spec.healthCheck.periodSeconds in body should be greater than or equal to 1",
            "\(broken.path):10: spec.modde: unknown field: Datacenter in federation.concord.dev/v1alpha1 has no such field",
        ])
        #expect(bad.stderr.contains("Error: 2 problems found checking 1 Concord object in 1 file"), "\(bad.stderr)")

        let missing = try await run(bin, ["validate", "-f", dir.appendingPathComponent("nothing.yaml").path])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no such file or directory"), "\(missing.stderr)")
    }

    @Test func validateWithAHubReportsUnknownDatacentersAndVersionPrintsTheHubs() async throws {
        let bin = try concordBinary()
        let dir = try makeTempDirectory("validate-hub")
        defer { removeTestDirectory(dir) }
        let server = try await ServerProcess.start(dataDir: dir.appendingPathComponent("hub"), port: try freePort())
        defer { server.process.signal(SIGKILL) }
        let k = try Kubectl(kubeconfig: server.kubeconfig)
        #expect(try await k("apply", "-f", Repo.crds).succeeded)
        #expect(try await k("wait", "--for=condition=Established", "crd/datacenters.federation.concord.dev", "--timeout=20s").succeeded)
        let applied = try await k("apply", "-f", Repo.root.appendingPathComponent("manifests/samples/datacenters.yaml").path)
        #expect(applied.succeeded, "\(applied.stderr)")

        let file = dir.appendingPathComponent("policy.yaml")
        try Self.policy.write(to: file, atomically: true, encoding: .utf8)
        let offline = try await run(bin, ["validate", "-f", file.path])
        #expect(offline.status == 0, "\(offline.stdout)\(offline.stderr)")
        let checked = try await run(bin, ["validate", "--kubeconfig", server.kubeconfig, "-f", file.path])
        #expect(checked.status == 1)
        #expect(checked.stdout.contains("\(file.path):7: spec.promotion.candidates[0]: Not found: \"mars\""), "\(checked.stdout)\(checked.stderr)")
        #expect(!checked.stdout.contains("\"us-east\""), "\(checked.stdout)")

        let version = try await run(bin, ["version", "--kubeconfig", server.kubeconfig])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.contains("Hub Version: v1.32.0-concord"), "\(version.stdout)")

        server.process.signal(SIGKILL)
        _ = await server.process.waitForExit(timeout: .seconds(10))
        let down = try await run(bin, ["version", "--kubeconfig", server.kubeconfig])
        #expect(down.status == 1)
        #expect(down.stderr.split(separator: "\n").count == 1, "\(down.stderr)")
        #expect(down.stderr.contains("cannot read the version of the hub"), "\(down.stderr)")
    }

    @Test func versionNamesTheCommitItWasBuiltFrom() async throws {
        let bin = try concordBinary()
        let head = try await run("/usr/bin/env", ["git", "-C", Repo.root.path, "rev-parse", "HEAD"])
        let commit = head.succeeded ? head.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
        let version = try await run(bin, ["version"])
        #expect(version.status == 0)
        #expect(version.stdout.contains("Concord Version: v0.1.0-dev"), "\(version.stdout)")
        #expect(version.stdout.contains("Git Commit: \(commit)"), "\(version.stdout)")
        #expect(version.stdout.contains("Swift Version: 6."), "\(version.stdout)")
        let flag = try await run(bin, ["--version"])
        #expect(flag.status == 0)
        #expect(flag.stdout.hasPrefix("concord v0.1.0-dev (commit \(commit == "unknown" ? "unknown" : String(commit.prefix(12)))"), "\(flag.stdout)")
        let json = try await run(bin, ["version", "-o", "json"])
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let client = decoded?["clientVersion"] as? [String: Any]
        #expect(client?["gitCommit"] as? String == commit)
    }
}
