import ArgumentParser
import ControlPlane
import Foundation
import Logging
import ServiceLifecycle

extension ConcordCommand {
    /// `concord server`: runs the embedded Kubernetes-compatible API server.
    public struct Server: AsyncParsableCommand {
        /// The command's configuration.
        public static let configuration = CommandConfiguration(
            commandName: "server",
            abstract: "Run Concord's embedded Kubernetes-compatible API server (SQLite storage).",
            discussion: """
                Writes DIR/kubeconfig on start, so `KUBECONFIG=DIR/kubeconfig kubectl get ns` just works.
                Bearer-token authentication is on: the token is generated on first start and kept in DIR/token.
                /healthz, /livez, /readyz and /version answer without a token, as kube-apiserver's defaults do.
                """)

        /// Where the database, the token and the kubeconfig live.
        @Option(name: .customLong("data-dir"), help: "Directory for the database, the token and the kubeconfig.")
        public var dataDirectory: String

        /// The port; 0 picks a free one.
        @Option(help: "Port to listen on (0 picks a free port).")
        public var port: Int = 6443

        /// The bind address.
        @Option(help: "Address to bind (loopback by default).")
        public var host: String = "127.0.0.1"

        /// A fixed token instead of the generated one.
        @Option(help: "Bearer token clients must send (default: generated once and kept in DIR/token).")
        public var token: String?

        /// The log level.
        @Option(name: .customLong("log-level"), help: "Log level: trace, debug, info, notice, warning, error, critical.")
        public var logLevel: String = "info"

        /// Simulate workloads: Deployments become available, Services get EndpointSlices (no kubelet).
        @Flag(
            name: .customLong("simulate-workloads"),
            help: "Mark Deployments available and publish EndpointSlices with synthetic addresses (labelled concord.dev/simulated).")
        public var simulateWorkloads = false

        /// How long a simulated rollout takes.
        @Option(name: .customLong("simulate-workloads-delay"), help: "Seconds a simulated rollout takes (with --simulate-workloads).")
        public var simulateWorkloadsDelay: Double = 2

        /// Creates the command.
        public init() {}

        /// Checks the options.
        public func validate() throws {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
            guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level \(logLevel)") }
            guard simulateWorkloadsDelay >= 0 else { throw ValidationError("--simulate-workloads-delay must not be negative") }
        }

        /// Serves until SIGTERM or SIGINT.
        public func run() async throws {
            var logger = Logger(label: "concord.server")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let dir = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
            var configuration = ControlPlaneConfiguration(dataDirectory: dir, host: host, port: port, token: token, logger: logger)
            if simulateWorkloads { configuration.simulateWorkloads = WorkloadSimulation(delay: .milliseconds(Int64(simulateWorkloadsDelay * 1000))) }
            let server = ControlPlaneServer(configuration: configuration)
            let group = ServiceGroup(
                configuration: .init(services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            let shownHost = host == "0.0.0.0" ? "127.0.0.1" : host
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                tasks.addTask {
                    let bound = try await server.port()
                    let line = "Concord control plane ready at http://\(shownHost):\(bound) — export KUBECONFIG=\(server.kubeconfigPath)\n"
                    FileHandle.standardOutput.write(Data(line.utf8))
                }
                try await tasks.waitForAll()
            }
        }
    }
}
