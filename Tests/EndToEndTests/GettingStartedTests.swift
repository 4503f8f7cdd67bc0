import ConcordTesting
import Foundation
import Testing

/// docs/getting-started.md's walkthrough, run as written in an empty directory with `concord` on PATH.
@Suite(.serialized) struct GettingStartedTests {
    /// The bash block between the walkthrough markers.
    static func walkthrough() throws -> String {
        let text = try String(contentsOf: Repo.root.appendingPathComponent("docs/getting-started.md"), encoding: .utf8)
        guard let begin = text.range(of: "<!-- walkthrough:begin -->"), let end = text.range(of: "<!-- walkthrough:end -->"),
            let open = text.range(of: "```bash\n", range: begin.upperBound..<end.lowerBound),
            let close = text.range(of: "```", range: open.upperBound..<end.lowerBound)
        else { throw E2EError("docs/getting-started.md has no ```bash block between the walkthrough markers") }
        return String(text[open.upperBound..<close.lowerBound])
    }

    @Test func theWalkthroughRunsAsWritten() async throws {
        let dir = try makeTempDirectory("concord-getting-started")
        defer { removeTestDirectory(dir) }
        let script = dir.appendingPathComponent("walkthrough.sh")
        try Self.walkthrough().write(to: script, atomically: true, encoding: .utf8)
        let bin = URL(fileURLWithPath: try concordBinary()).deletingLastPathComponent().path
        let path = "\(bin):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")"
        let result = try await run("/bin/bash", ["-c", "cd '\(dir.path)' && bash walkthrough.sh"], environment: ["PATH": path, "KUBECONFIG": ""], timeout: .seconds(240))
        #expect(result.succeeded, "the walkthrough failed (\(result.status)):\n\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("blue"), "the replica's data is not printed:\n\(result.stdout)")
        #expect(result.stdout.contains("federation.concord.dev/content-hash"), "\(result.stdout)")
        #expect(result.stdout.contains("would make") && result.stdout.contains("primary at epoch 2"), "concord plan printed no promotion:\n\(result.stdout)")
        #expect(result.stdout.contains("Wrote federation.backup"), "\(result.stdout)")
        let status = try JSONDecoder().decode(StatusJSON.self, from: Data(contentsOf: dir.appendingPathComponent("status.json")))
        #expect(status.datacenters.count == 3 && status.replicationRules.map(\.name) == ["shop/global-config"])
    }

    struct StatusJSON: Decodable {
        struct Row: Decodable { var name: String }
        var datacenters: [Row]
        var replicationRules: [Row]
    }
}
