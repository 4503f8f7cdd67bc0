import ArgumentParser

/// The `concord` command: one binary with subcommands.
public struct ConcordCommand: AsyncParsableCommand {
    /// The command's configuration.
    public static let configuration = CommandConfiguration(
        commandName: "concord",
        abstract: "Concord federates datacenters: Kubernetes API endpoints, real clusters or Concord's embedded control plane.",
        version: ConcordVersion.current.line,
        subcommands: [
            UpCommand.self, Server.self, ControllerCommand.self, AgentCommand.self, StatusCommand.self, DatacenterCommand.self,
            ReplicationCommand.self, ServiceCommand.self, CRDsCommand.self, SimulateCommand.self, ValidateCommand.self, VersionCommand.self,
            PlanCommand.self, PlanBenchCommand.self, BackupCommand.self, RestoreCommand.self, DemoCommand.self,
        ]
    )

    /// Creates the command.
    public init() {}
}
