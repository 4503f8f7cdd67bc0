import ArgumentParser
import FederationControllers
import Foundation
import KubeClient
import Logging

/// `concord controller`: the reconcilers against a hub.
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run Concord's controllers against a hub (any Kubernetes API server with Concord's CRDs installed).",
        discussion: "Stops cleanly on SIGTERM or SIGINT: queues drain, probes stop, connections close.")

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var logging: LoggingOptions

    @Option(name: .long, help: "Concurrent Datacenter reconciles.")
    var datacenterWorkers: Int = 4

    @Option(name: .long, help: "Seconds a Datacenter deletion waits for an unreachable member before leaving its marker behind.")
    var memberCleanupTimeout: Int = 30

    func validate() throws {
        guard datacenterWorkers >= 1 else { throw ValidationError("--datacenter-workers must be at least 1") }
        guard memberCleanupTimeout >= 0 else { throw ValidationError("--member-cleanup-timeout must not be negative") }
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "concord.controller")
        let hub = try cluster.client(logger: Logger(label: "concord.kubeclient"))
        let options = ControllerOptions(datacenterWorkers: datacenterWorkers, memberCleanupTimeout: TimeInterval(memberCleanupTimeout))
        let controllers = FederationControllerSet(hub: hub, options: options, logger: logger)
        logger.info("Starting Concord controllers", metadata: ["hub": "\(hub.configuration?.server.absoluteString ?? "?")"])
        do {
            try await controllers.run()
        } catch {
            try? await hub.shutdown()
            throw error
        }
        try await hub.shutdown()
    }
}
