import ConcordTesting
import Foundation
import Testing

/// `concord demo` runs its scenario on a fresh federation, prints the timing table, stays under
/// three minutes and stops everything it started.
@Suite(.serialized) struct DemoEndToEndTests {
    @Test func theDemoRunsEveryStepAndPrintsItsTimes() async throws {
        let dir = try makeTempDirectory("concord-demo")
        defer { removeTestDirectory(dir) }
        let data = dir.appendingPathComponent("demo")
        let started = ContinuousClock().now
        let demo = try await run(try concordBinary(), ["demo", "--data-dir", data.path], timeout: .seconds(240))
        let took = ContinuousClock().now - started
        print(demo.stdout)
        #expect(demo.status == 0, "\(demo.stdout)\n\(demo.stderr)")
        #expect(took < .seconds(180), "the demo took \(took)")
        let table = demo.stdout.split(separator: "\n").drop { !$0.hasPrefix("STEP") }.map(String.init)
        #expect(table.first?.hasPrefix("STEP") == true && table.first?.contains("SECONDS") == true, "\(demo.stdout)")
        for step in ["register", "replicate", "backup", "kill primary", "promotion", "restore", "failback", "total"] {
            let row = table.first { $0.hasPrefix(step + " ") }
            #expect(row != nil && row?.contains("FAILED") == false, "no timing for \(step):\n\(table.joined(separator: "\n"))")
        }
        #expect(demo.stdout.contains("primary again at epoch 3"), "\(demo.stdout)")

        // A second run refuses the used directory.
        let again = try await run(try concordBinary(), ["demo", "--data-dir", data.path])
        #expect(again.status != 0 && again.stderr.contains("is not empty"), "\(again.stderr)")
    }
}
