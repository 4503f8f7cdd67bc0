import ConcordTesting
import Foundation
import Testing

/// `concord demo` runs its scenario on a fresh federation, prints the timing table, stays under
/// three minutes and stops everything it started; its service failover step moves web's traffic
/// off the killed primary.
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
        for step in ["register", "replicate", "protect service", "backup", "kill primary", "service failover", "promotion", "restore", "failback", "total"] {
            let row = table.first { $0.hasPrefix(step + " ") }
            #expect(row != nil && row?.contains("FAILED") == false, "no timing for \(step):\n\(table.joined(separator: "\n"))")
        }
        #expect(demo.stdout.contains("primary again at epoch 3"), "\(demo.stdout)")
        // The service failover step: web's global endpoints left the killed primary for a survivor,
        // and `concord service get --all-datacenters` shows that survivor active with ready endpoints.
        let failover = try #require(table.first { $0.hasPrefix("service failover ") })
        let target = try #require(["us-west", "eu-central"].first { failover.contains("web-global routed to \($0) ") }, "\(failover)")
        let view = demo.stdout.split(separator: "\n").drop { !$0.contains("concord service get web -n shop --all-datacenters") }.dropFirst().prefix(4)
        let activeRow = view.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(target) }
        #expect(activeRow?.contains("*") == true && activeRow?.contains("<none>") == false, "\(view.joined(separator: "\n"))")
        let killed = view.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix("us-east") }
        #expect(killed?.contains("*") == false, "\(view.joined(separator: "\n"))")

        // A second run refuses the used directory.
        let again = try await run(try concordBinary(), ["demo", "--data-dir", data.path])
        #expect(again.status != 0 && again.stderr.contains("is not empty"), "\(again.stderr)")
    }
}
