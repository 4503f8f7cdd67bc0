import ArgumentParser
import Foundation
import KubeClient
import Logging

/// Options shared by every subcommand that talks to a cluster.
struct ClusterOptions: ParsableArguments {
    @Option(name: .long, help: "Path to a kubeconfig; otherwise KUBECONFIG, then in-cluster, then ~/.kube/config.")
    var kubeconfig: String?

    @Option(name: .long, help: "The kubeconfig context to use (default: current-context).")
    var context: String?

    /// A client for the selected cluster, or a one-line error saying what to fix.
    func client(logger: Logger = Logger(label: "concord.client")) throws -> KubeClient {
        do {
            return try KubeClient(kubeconfigPath: kubeconfig, context: context, logger: logger)
        } catch {
            throw CLIError("\(error)")
        }
    }
}

/// Logging options.
struct LoggingOptions: ParsableArguments {
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .long, help: "Log format: text or json.")
    var logFormat: LogFormat = .text

    /// Installs the process-wide log handler.
    func bootstrap() {
        let level = logLevel
        let format = logFormat
        LoggingSystem.bootstrap { label in
            var handler = ConcordLogHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// A failure a person can act on, printed as `Error: <message>` with exit status 1.
struct CLIError: Error, CustomStringConvertible {
    /// What went wrong and what to do.
    var description: String
    init(_ description: String) { self.description = description }
}
