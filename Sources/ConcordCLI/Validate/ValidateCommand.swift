import ArgumentParser
import FederationAPI
import Foundation
import KubeClient

/// `concord validate -f FILE|DIR|-`: checks manifests offline against Concord's CRDs and the
/// controllers' semantic checks, printing `file:line: field: message` per problem.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check manifests against Concord's CRD schemas and the controllers' rules, offline (for CI and pre-commit hooks).",
        discussion: """
            Every document of group federation.concord.dev goes through the checks the control plane makes before storing it (metadata, name, unknown fields, the CRD schema after defaulting), then the checks the controllers make (a Push Datacenter needs spec.credentialsRef; a ReplicationRule with conflictResolution SourceWins, the default, is refused while the FederationPolicy in force has topology Mesh). Documents of other groups are skipped. With --kubeconfig, names of Datacenters that neither the hub nor the manifests define are reported too, and the hub's FederationPolicies count with the manifests' for the topology. Problems print as file:line: field: message; the exit status is 1 when there is any.
            """)

    @Option(name: [.customShort("f"), .customLong("filename")], help: ArgumentHelp("A manifest file, a directory of them (.yaml, .yml, .json, recursively), or - for standard input. Repeatable.", valueName: "path"))
    var filenames: [String] = []

    @Option(name: .long, help: "A hub kubeconfig: also report references to Datacenters the hub does not have, and check ReplicationRules against the hub's FederationPolicies.")
    var kubeconfig: String?

    @Option(name: .long, help: "The kubeconfig context to use with --kubeconfig (default: current-context).")
    var context: String?

    func validate() throws {
        if filenames.isEmpty { throw ValidationError("name the manifests with -f FILE, -f DIR or -f - (standard input)") }
    }

    func run() async throws {
        let files = try filenames.flatMap(ManifestReader.files)
        var documents: [ManifestDocument] = []
        var problems: [ManifestProblem] = []
        for file in files {
            let read = ManifestReader.documents(try ManifestReader.text(of: file), file: file)
            documents += read.documents
            problems += read.problems
        }
        var hub: (datacenters: DatacenterDirectory, policies: [FederationPolicy])?
        if let kubeconfig { hub = try await Self.hubObjects(kubeconfig: kubeconfig, context: context) }
        let report = ManifestValidator().validate(documents, hubDatacenters: hub?.datacenters, hubPolicies: hub?.policies ?? [])
        problems += report.problems
        for problem in problems.sorted(by: { ($0.file, $0.line) < ($1.file, $1.line) }) { print(problem) }
        let skipped = report.skipped > 0 ? ", \(report.skipped) of other API groups skipped" : ""
        let summary = "\(report.checked) Concord object\(report.checked == 1 ? "" : "s") in \(files.count) file\(files.count == 1 ? "" : "s")\(skipped)"
        guard problems.isEmpty else {
            throw CLIError("\(problems.count) problem\(problems.count == 1 ? "" : "s") found checking \(summary): fix the lines above and run concord validate again")
        }
        print("\(summary): valid")
    }

    /// The hub's Datacenters (name → labels) and FederationPolicies, or a one-line error when the
    /// hub cannot be read.
    static func hubObjects(kubeconfig: String, context: String?) async throws -> (datacenters: DatacenterDirectory, policies: [FederationPolicy]) {
        let (read, server) = try await HubQuery.read(kubeconfig: kubeconfig, context: context, explain: { StatusCommand.explain($0, server: $1) }) { hub in
            (try await hub.resource(Datacenter.self).list().items, try await hub.resource(FederationPolicy.self).list().items)
        }
        let labels = Dictionary(read.0.map { ($0.metadata.name ?? "", $0.metadata.labels ?? [:]) }, uniquingKeysWith: { a, _ in a })
        return (DatacenterDirectory(labels: labels, origin: "the hub \(server)"), read.1)
    }
}
