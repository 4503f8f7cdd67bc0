import ArgumentParser
import FederationAPI
import Foundation
import KubeClient

/// `concord datacenter promote|cordon|uncordon NAME`.
struct DatacenterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "datacenter",
        abstract: "Promote a datacenter to primary, or cordon and uncordon it.",
        subcommands: [Promote.self, Cordon.self, Uncordon.self],
        aliases: ["dc"])

    /// `concord datacenter promote NAME`: a planned handover (or a requested failback).
    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make NAME the primary: sets the FederationPolicy's spec.primary, waits for the handover and prints the new epoch.",
            discussion: """
                The handover never passes through a moment with zero or two primaries: the epoch is raised in the \
                policy's status, NAME's fencing marker is written, then the old primary's. When NAME already is \
                spec.primary but the primary failed away from it, this requests the failback \
                (annotation federation.concord.dev/failback-requested-at).
                """)

        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The Datacenter to promote.") var name: String
        @Option(help: "The FederationPolicy (needed only when NAME is a member of several).") var policy: String?
        @Option(help: "How long to wait for the handover.") var timeout: DurationArgument = DurationArgument(.seconds(60))
        @Flag(help: "Write the request and return without waiting.") var noWait = false

        func run() async throws {
            let hub = try cluster.client()
            do {
                try await PromoteFlow(hub: hub, name: name, policy: policy, timeout: timeout.value, wait: !noWait).run()
            } catch {
                try? await hub.shutdown()
                throw error is CLIError ? error : CLIError(StatusCommand.explain(error, server: hub.configuration?.displayServer))
            }
            try await hub.shutdown()
        }
    }

    /// `concord datacenter cordon NAME`: the FederationPolicy never promotes it.
    struct Cordon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark NAME unschedulable (spec.unschedulable): the FederationPolicy never promotes it (a cordoned primary stays primary), no ServiceFailover fails over or migrates to it, and ActiveActive services move their shares off it, make-before-break.")
        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The Datacenter to cordon.") var name: String

        func run() async throws { try await setUnschedulable(true, name: name, cluster: cluster) }
    }

    /// `concord datacenter uncordon NAME`.
    struct Uncordon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark NAME schedulable again.")
        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The Datacenter to uncordon.") var name: String

        func run() async throws { try await setUnschedulable(false, name: name, cluster: cluster) }
    }
}

/// Sets `spec.unschedulable` and prints what changed, as `kubectl cordon` does.
func setUnschedulable(_ value: Bool, name: String, cluster: ClusterOptions) async throws {
    let hub = try cluster.client()
    let verb = value ? "cordoned" : "uncordoned"
    do {
        let datacenters = hub.resource(Datacenter.self)
        let dc: Datacenter
        do {
            dc = try await datacenters.get(name)
        } catch let error as KubeAPIError where error.isNotFound {
            throw CLIError("datacenter \"\(name)\" not found: `kubectl get datacenters` lists them")
        }
        if (dc.spec.unschedulable ?? false) == value {
            print("datacenter/\(name) already \(verb)")
        } else {
            _ = try await datacenters.patch(name, type: .merge, patch: ["spec": ["unschedulable": .bool(value)]])
            print("datacenter/\(name) \(verb)")
        }
        if value, dc.status?.role == .primary {
            print("note: \(name) is a primary; cordoning keeps it primary. Move the primary with `concord datacenter promote OTHER`.")
        }
    } catch {
        try? await hub.shutdown()
        throw error is CLIError ? error : CLIError(StatusCommand.explain(error, server: hub.configuration?.displayServer))
    }
    try await hub.shutdown()
}
