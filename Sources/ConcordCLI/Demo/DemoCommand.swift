import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `concord demo`: a scripted failure scenario on a fresh local federation, narrated, with the
/// time of every step.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a scripted failure scenario on a fresh local federation and print how long each step took.",
        discussion: """
            Starts a federation of three (as `concord up` does), then: registers the members, replicates a \
            ConfigMap, protects a Deployment and Service with an ActivePassive ServiceFailover, backs the \
            federation up, kills the primary (also the Service's active datacenter) with SIGKILL, waits for the \
            service failover (the global EndpointSlices on the new datacenter) and the promotion, restores the \
            lost datacenter from the backup onto a new control plane, and fails back. It ends \
            with a table of the times and where each was measured, stops every process it started, and \
            exits non-zero if a step fails. --data-dir must be empty or absent (default: a new temporary directory).
            """)

    @Option(name: .long, help: "Where the demo's control planes keep their data and logs (must be empty).")
    var dataDir: String?

    func run() async throws {
        let directory: URL
        if let dataDir {
            directory = URL(fileURLWithPath: dataDir, isDirectory: true).standardizedFileURL
            let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            guard existing.isEmpty else {
                throw CLIError("--data-dir \(dataDir) is not empty: the demo needs a fresh federation; name an empty or new directory")
            }
        } else {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("concord-demo-\(UUID().uuidString.prefix(8))", isDirectory: true)
        }
        let executable = try currentExecutable()
        let output = ProgressOutput()
        let results = DemoResults()
        let federation = LocalFederation(directory: directory, datacenterCount: 3, pull: false, executable: executable, output: output)
        let scenario = DemoScenario(directory: directory, executable: executable, output: output, results: results)
        var logger = Logger(label: "concord.demo")
        logger.logLevel = .warning
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: federation),
                    .init(service: scenario, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        var failure: (any Error)?
        do {
            try await group.run()
        } catch {
            failure = error
        }
        output.line("")
        output.line(results.table())
        output.line("Data and logs: \(directory.path)")
        if let failure { throw CLIError("the demo failed: \(failure)") }
        guard results.completed == DemoScenario.steps.count else {
            throw CLIError("the demo stopped after \(results.completed) of \(DemoScenario.steps.count) steps; see the logs in \(directory.path)/logs")
        }
    }
}
