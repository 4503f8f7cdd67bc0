import ArgumentParser
import FederationControllers
import Foundation
import KubeClient
import Logging
import ServiceLifecycle

/// `concord agent`: Pull-mode registration and heartbeat from inside a member datacenter.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Register this datacenter with a hub in Pull mode and renew its Lease there.",
        discussion: """
            Creates or updates the Datacenter (mode: Pull) in the hub and renews the Lease \
            concord-system/dc-NAME every quarter of its duration. With --kubeconfig (the member's own API \
            server) the Lease is renewed only while that API server answers, and the fencing marker is \
            installed there. Stops on SIGTERM or SIGINT; the hub then sees the Lease expire.
            """)

    @Option(name: .long, help: "Kubeconfig for the hub.")
    var hubKubeconfig: String

    @Option(name: .long, help: "This datacenter's name in the hub.")
    var datacenter: String

    @Option(name: .long, help: "This datacenter's region (spec.region).")
    var region: String

    @Option(name: .long, help: "This datacenter's zone (spec.zone).")
    var zone: String?

    @Option(name: .long, help: "Free-text provider (spec.provider).")
    var provider: String?

    @Option(name: .long, help: "Kubeconfig for this member's own API server (optional).")
    var kubeconfig: String?

    @Option(name: .long, help: "Lease duration in seconds; renewed every quarter of it.")
    var leaseDuration: Int = 15

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard leaseDuration >= 2 else { throw ValidationError("--lease-duration must be at least 2 seconds") }
        guard !datacenter.isEmpty else { throw ValidationError("--datacenter must not be empty") }
    }

    func run() async throws {
        logging.bootstrap()
        let logger = Logger(label: "concord.agent")
        let hub: KubeClient
        do { hub = try KubeClient(kubeconfigPath: hubKubeconfig) } catch { throw CLIError("hub kubeconfig: \(error)") }
        var member: KubeClient?
        if let kubeconfig {
            do { member = try KubeClient(kubeconfigPath: kubeconfig) } catch {
                try? await hub.shutdown()
                throw CLIError("member kubeconfig: \(error)")
            }
        }
        let agent = PullAgent(
            hub: hub, member: member,
            options: PullAgentOptions(datacenter: datacenter, region: region, zone: zone, provider: provider, leaseDurationSeconds: leaseDuration),
            logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: agent, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("Starting agent", metadata: ["datacenter": "\(datacenter)", "hub": "\(hub.configuration?.displayServer ?? "?")"])
        var failure: (any Error)?
        do { try await group.run() } catch { failure = error }
        try? await member?.shutdown()
        try? await hub.shutdown()
        if let failure { throw CLIError("\(failure)") }
    }
}
