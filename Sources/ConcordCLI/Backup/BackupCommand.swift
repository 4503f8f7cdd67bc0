import ArgumentParser
import Foundation
import KubeClient

/// `concord backup -o FILE`: one archive of the hub's federation objects and their credentials
/// Secrets, and per member the objects Concord manages there, with a manifest and a checksum.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write one archive of the federation: the hub's federation objects and Secrets, and what Concord manages in each member.",
        discussion: """
            The archive holds the hub's Datacenters, FederationPolicies (with their status: primary, epoch, history), \
            ReplicationRules and ServiceFailovers, the Secrets holding the members' kubeconfigs, and per Push-mode member \
            the fencing marker, replicas and standby copies with their annotations; a manifest records the versions, the \
            counts and a SHA-256 of the content. It holds credentials: it is written readable by its owner only. \
            `concord restore` rebuilds a lost member or the hub from it.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("The archive to write.", valueName: "file"))
    var output: String

    func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        let hub = try cluster.client()
        let archive: BackupArchive
        do {
            archive = try await BackupReader(hub: hub).read(now: Date())
        } catch {
            try? await hub.shutdown()
            throw error is CLIError ? error : CLIError(StatusCommand.explain(error, server: hub.configuration?.displayServer))
        }
        try await hub.shutdown()
        let data = try archive.encoded()
        let url = URL(fileURLWithPath: output)
        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CLIError("cannot write \(output): is its directory there and writable?")
        }
        try FileManager.default.removeItemIfPresent(atPath: url.path)
        try FileManager.default.moveItem(at: partial, to: url)
        let elapsed = clock.now - started
        let m = archive.manifest
        print("Wrote \(output): \(data.count) bytes in \(Self.seconds(elapsed)), hub \(Self.objects(m.hubObjects)), sha256 \(BackupArchive.sha256(archive.contentText).prefix(12))…")
        for member in m.members {
            print("  \(member.datacenter): \(Self.objects(member.objects))\(member.error.map { " — not read: \($0)" } ?? "")")
        }
    }

    /// `1 object`, `2 objects`.
    static func objects(_ n: Int) -> String { n == 1 ? "1 object" : "\(n) objects" }

    /// `1.23 s`.
    static func seconds(_ d: Duration) -> String {
        String(format: "%.2f s", Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
    }
}
