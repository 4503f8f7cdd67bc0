import ArgumentParser
import FederationAPI
import FederationCore
import Foundation
import KubeClient

/// `concord service get|failback`: cross-datacenter service discovery and failback from the hub.
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service", abstract: "Find where a ServiceFailover's Service runs, and move it back to its primary.",
        subcommands: [Get.self, Failback.self, Rebalance.self], aliases: ["svc"])

    /// Output formats of `get`.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    /// `concord service get NAME [-n NS] [--datacenter X | --all-datacenters | --failover a,b] [-o json]`.
    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show where a Service runs and its endpoints, from the ServiceFailover's discovery view.",
            discussion: """
                Reads status.datacenters of ServiceFailover NAME at the hub: per datacenter its role, whether the \
                controller reaches it, desired and ready replicas, and the ready endpoints (address:port).

                Without a selection it answers for the active datacenter (for an ActiveActive service, for every \
                datacenter the division places replicas in). --datacenter X answers for X (for an \
                ActiveActive service, with the endpoints clients in X use: X's own while at least \
                minLocalReadyReplicas are ready there, else the other placed datacenters'; X may be a member the \
                service is not placed in); \
                --all-datacenters for every datacenter of the ServiceFailover; --failover a,b for the first of a, b \
                (in that order) that is reachable and has ready endpoints, and fails when none has.
                """)

        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The ServiceFailover's name.") var name: String
        @Option(name: [.customShort("n"), .long], help: "The namespace.") var namespace = "default"
        @Option(help: "Answer for this datacenter.") var datacenter: String?
        @Flag(name: .customLong("all-datacenters"), help: "Answer for every datacenter.") var allDatacenters = false
        @Option(help: ArgumentHelp("Answer for the first of these that serves (comma-separated, in order).", valueName: "dc[,dc]")) var failover: String?
        @Option(name: [.customShort("o"), .long], help: "Output format: table or json.") var output: Format = .table

        func validate() throws {
            let chosen = [datacenter != nil, allDatacenters, failover != nil].filter { $0 }.count
            if chosen > 1 { throw ValidationError("choose one of --datacenter, --all-datacenters and --failover") }
            if let failover, PlanCommand.names(failover).isEmpty { throw ValidationError("--failover needs datacenter names, such as --failover us-west,eu-central") }
        }

        var query: ServiceView.Query {
            if let datacenter { return .datacenter(datacenter) }
            if allDatacenters { return .all }
            if let failover {
                return .failover(failover.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
            }
            return .active
        }

        func run() async throws {
            let sf = try await ServiceCommand.read(name, namespace: namespace, cluster: cluster)
            var members: Set<String> = []
            let listed = Set((sf.status?.datacenters ?? []).map(\.name))
            if sf.spec.effectiveMode == .activeActive, let datacenter, !listed.contains(datacenter) {
                members = try await ServiceCommand.datacenterNames(cluster: cluster)
            }
            // A failover order naming a datacenter the service does not list: is it one of the federation's at all?
            if case .failover(let order) = query, order.contains(where: { !listed.contains($0) }) {
                members = try await ServiceCommand.datacenterNames(cluster: cluster)
            }
            let view = try ServiceView.answer(query, for: sf, members: members)
            print(output == .json ? try view.json() : view.table)
        }
    }

    /// `concord service failback NAME [-n NS]`.
    struct Failback: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a failed-over Service back to its primary datacenter, make-before-break.",
            discussion: """
                Sets the annotation \(PromotionAnnotation.failbackRequestedAt) on ServiceFailover NAME to now. The \
                controller then scales the primary up, waits for its ready replicas, switches the global Service, and \
                scales the failover datacenter down. It waits for the primary to be Ready, but not for \
                stabilizationSeconds. A Service that is not failed over is left where it is.
                """)

        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The ServiceFailover's name.") var name: String
        @Option(name: [.customShort("n"), .long], help: "The namespace.") var namespace = "default"

        func run() async throws {
            let sf = try await ServiceCommand.read(name, namespace: namespace, cluster: cluster)
            if sf.spec.effectiveMode == .activeActive {
                throw CLIError("servicefailover \(namespace)/\(name) is ActiveActive: it divides its replicas instead of failing over; `concord service rebalance \(name) -n \(namespace)` gives returned datacenters their share now")
            }
            guard let active = sf.status?.activeDatacenter, active != sf.spec.primary else {
                throw CLIError("servicefailover \(namespace)/\(name) runs in its primary \(sf.spec.primary); there is nothing to fail back")
            }
            try await ServiceCommand.annotate(name, namespace: namespace, PromotionAnnotation.failbackRequestedAt, cluster: cluster)
            print("servicefailover \(namespace)/\(name): failback from \(active) to \(sf.spec.primary) requested")
        }
    }

    /// `concord service rebalance NAME [-n NS]`.
    struct Rebalance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give an ActiveActive Service's returned datacenters their share now, make-before-break.",
            discussion: """
                Sets the annotation \(PromotionAnnotation.rebalanceRequestedAt) on ServiceFailover NAME to now. The \
                controller then divides the replicas over every selected Ready datacenter without waiting for \
                stabilizationSeconds: those that gain scale up first, the others scale down once they are ready.
                """)

        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The ServiceFailover's name.") var name: String
        @Option(name: [.customShort("n"), .long], help: "The namespace.") var namespace = "default"

        func run() async throws {
            let sf = try await ServiceCommand.read(name, namespace: namespace, cluster: cluster)
            guard sf.spec.effectiveMode == .activeActive else {
                throw CLIError("servicefailover \(namespace)/\(name) is ActivePassive; `concord service failback \(name) -n \(namespace)` moves it back to its primary")
            }
            try await ServiceCommand.annotate(name, namespace: namespace, PromotionAnnotation.rebalanceRequestedAt, cluster: cluster)
            print("servicefailover \(namespace)/\(name): rebalance requested")
        }
    }

    /// Sets `annotation` on ServiceFailover `namespace/name` to the current time.
    static func annotate(_ name: String, namespace: String, _ annotation: String, cluster: ClusterOptions) async throws {
        _ = try await withHub(cluster) { hub in
            try await hub.resource(ServiceFailover.self).patch(
                name, namespace: namespace, type: .merge, patch: ["metadata": ["annotations": .object([annotation: .string(KubeTime(Date()).description)])]])
        }
    }

    /// The names of the federation's Datacenters at the hub.
    static func datacenterNames(cluster: ClusterOptions) async throws -> Set<String> {
        try await withHub(cluster) { hub in Set(try await hub.resource(Datacenter.self).list().items.compactMap(\.metadata.name)) }
    }

    /// Reads ServiceFailover `namespace/name` from the hub, or a one-line error saying what to fix.
    static func read(_ name: String, namespace: String, cluster: ClusterOptions) async throws -> ServiceFailover {
        try await withHub(cluster, notFound: "servicefailover \"\(name)\" not found in namespace \(namespace): `kubectl get sf -n \(namespace)` lists them") { hub in
            try await hub.resource(ServiceFailover.self).get(name, namespace: namespace)
        }
    }

    /// `body` against the hub, its client shut down either way; a failure becomes one line: `notFound`
    /// for a 404 when given, else what ``StatusCommand/explain(_:server:)`` says.
    private static func withHub<T: Sendable>(
        _ cluster: ClusterOptions, notFound: String? = nil, _ body: (KubeClient) async throws -> T
    ) async throws -> T {
        let hub = try cluster.client()
        let result: Result<T, CLIError>
        do {
            result = .success(try await body(hub))
        } catch let error as KubeAPIError where error.isNotFound && notFound != nil {
            result = .failure(CLIError(notFound ?? ""))
        } catch {
            result = .failure(CLIError(StatusCommand.explain(error, server: hub.configuration?.displayServer)))
        }
        try await hub.shutdown()
        return try result.get()
    }
}
