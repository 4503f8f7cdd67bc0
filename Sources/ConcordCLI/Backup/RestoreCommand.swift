import ArgumentParser
import FederationAPI
import Foundation
import KubeClient

/// `concord restore -f FILE --datacenter NAME --to-kubeconfig NEW` rebuilds a lost member on a
/// fresh control plane and re-federates it; `concord restore -f FILE --hub` rebuilds the hub.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Rebuild a lost member datacenter, or the hub, from a `concord backup` archive.",
        discussion: """
            --datacenter NAME --to-kubeconfig NEW writes the objects Concord managed in NAME (fencing marker, replicas, \
            standby copies) into the control plane NEW names, then points NAME's credentials Secret at the hub (--kubeconfig) \
            to NEW and sets the Datacenter's annotation federation.concord.dev/credentials-revision: the controller reads the \
            Secret again at once and reconnects, fencing puts it at the current epoch as Secondary, replication brings it up to date. \
            --hub writes the CRDs and every archived hub object (FederationPolicy status included, so the epoch continues) \
            into the hub --kubeconfig names. The archive is checked first; a damaged or foreign one writes nothing.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(name: [.customShort("f"), .long], help: ArgumentHelp("The archive `concord backup` wrote.", valueName: "file"))
    var file: String

    @Option(help: "The datacenter to rebuild.")
    var datacenter: String?

    @Option(name: .customLong("to-kubeconfig"), help: ArgumentHelp("Kubeconfig of the fresh control plane that becomes the datacenter.", valueName: "path"))
    var toKubeconfig: String?

    @Flag(help: "Rebuild the hub (the cluster --kubeconfig names) instead of a member.")
    var hub = false

    @Flag(help: "Wait until the restored datacenter is Ready, has its role and holds the current epoch.")
    var wait = false

    func validate() throws {
        if hub == (datacenter != nil) {
            throw ValidationError("name what to restore: --datacenter NAME --to-kubeconfig NEW, or --hub")
        }
        if datacenter != nil, toKubeconfig == nil {
            throw ValidationError("--datacenter needs --to-kubeconfig: the kubeconfig of the fresh control plane to restore it onto")
        }
    }

    func run() async throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw CLIError("cannot read \(file): \(error.localizedDescription)")
        }
        let archive = try BackupArchive.decode(data, file: file)
        let hubClient = try cluster.client()
        do {
            if let datacenter, let toKubeconfig {
                try await MemberRestore(archive: archive, hub: hubClient, datacenter: datacenter).run(kubeconfigPath: toKubeconfig, wait: wait)
            } else {
                try await HubRestore(archive: archive, hub: hubClient).run()
            }
        } catch {
            try? await hubClient.shutdown()
            throw error is CLIError ? error : CLIError(StatusCommand.explain(error, server: hubClient.configuration?.displayServer))
        }
        try await hubClient.shutdown()
    }
}

/// `restore --hub`: the CRDs, then the archived hub objects in order (Secrets, Datacenters,
/// FederationPolicies with status, ReplicationRules, ServiceFailovers with status).
struct HubRestore {
    let archive: BackupArchive
    let hub: KubeClient

    func run() async throws {
        _ = try await HubBootstrap(client: hub).installCRDs()
        var writer = RestoreWriter(client: hub, target: "the hub")
        let statusKinds: Set<String> = [FederationPolicy.kind, ServiceFailover.kind]
        for object in archive.content.hub {
            try await writer.write(object, withStatus: statusKinds.contains(object["kind"]?.stringValue ?? ""))
        }
        print("Restored the hub at \(hub.configuration?.displayServer ?? "?"): \(BackupCommand.objects(archive.content.hub.count)) from the backup of \(archive.manifest.createdAt)")
        print("Start the controller against it: concord controller --kubeconfig …")
    }
}
