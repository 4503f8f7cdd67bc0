import ArgumentParser
import Foundation
import KubeClient

/// `concord version`: Concord's version, the git commit it was built from and the Swift version,
/// and with `--kubeconfig` the hub's version (`GET /version`), like `kubectl version`.
struct VersionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print Concord's version, the git commit it was built from and the Swift version (with --kubeconfig, the hub's too).")

    /// The output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(name: .long, help: "A hub kubeconfig: also print the hub's version.")
    var kubeconfig: String?

    @Option(name: .long, help: "The kubeconfig context to use with --kubeconfig (default: current-context).")
    var context: String?

    @Option(name: [.customShort("o"), .long], help: "Output format: text or json.")
    var output: Format = .text

    /// The JSON document of `-o json`.
    struct Report: Codable {
        var clientVersion: ConcordVersion
        var serverVersion: ServerVersion?
    }

    func run() async throws {
        var hub: (version: ServerVersion, server: String)?
        if let kubeconfig { hub = try await Self.hubVersion(kubeconfig: kubeconfig, context: context) }
        let report = Report(clientVersion: .current, serverVersion: hub?.version)
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        case .text:
            print(Self.render(report, server: hub?.server))
        }
    }

    /// The text form, one `Name: value` a line.
    static func render(_ report: Report, server: String?) -> String {
        let v = report.clientVersion
        var lines = [
            "Concord Version: \(v.version)",
            "Git Commit: \(v.gitCommit)\(v.gitTreeState == "modified" ? " (tracked files modified)" : "")",
            "Swift Version: \(v.swiftVersion)",
        ]
        if let s = report.serverVersion {
            lines.append("Hub Version: \(s.gitVersion ?? "unknown") (\(server ?? "?"))")
        }
        return lines.joined(separator: "\n")
    }

    /// The hub's `/version`, or a one-line error when it cannot be read.
    static func hubVersion(kubeconfig: String, context: String?) async throws -> (version: ServerVersion, server: String) {
        let read = try await HubQuery.read(
            kubeconfig: kubeconfig, context: context,
            explain: { error, server in
                if let transport = error as? KubeTransportError {
                    return "cannot read the version of the hub: " + UnreachableServer.sentence(transport, what: "the hub", server: server, flag: "--kubeconfig")
                }
                return "cannot read the version of the hub at \(server) (\(error)): is --kubeconfig right?"
            }
        ) { hub in try await hub.serverVersion() }
        return (read.value, read.server)
    }
}
