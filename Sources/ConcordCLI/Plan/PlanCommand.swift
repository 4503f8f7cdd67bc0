import ArgumentParser
import FederationAPI
import FederationCore
import Foundation
import KubeClient

/// `concord plan`: what the controllers would do now — promotions, fencing marker writes, role
/// changes, replication writes and conflicts, service failovers — from the same core functions
/// they call (``FederationCore/planPolicy(policy:members:markers:now:promotion:fencing:)``,
/// ``FederationCore/planReplication``, ``FederationCore/planService(_:)``), writing nothing.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show what the controllers would do now (promotions, fencing, replication, failovers), or if datacenters were lost or cordoned; writes nothing.",
        discussion: """
            Reads the FederationPolicies, Datacenters, ReplicationRules and ServiceFailovers from the hub, each reachable member's fencing marker and the objects the rules replicate, then runs the controllers' planning functions. --if-unreachable assumes the named datacenters have been Unreachable for the policy's promotion.unreachableForSeconds (and each service's unhealthyForSeconds); --if-cordoned assumes spec.unschedulable. Replication is planned from the primary each policy would hold after its plan; when the first FederationPolicy by name has topology Mesh, each rule is planned as the controller's Mesh pass instead (every member a source, adoptions stamping members' own writes). Services are planned from their status as the controller last wrote it.
            """)

    /// The output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .customLong("if-unreachable"), help: ArgumentHelp("Assume these datacenters Unreachable (comma-separated).", valueName: "dc[,dc]"))
    var ifUnreachable: String?

    @Option(name: .customLong("if-cordoned"), help: ArgumentHelp("Assume these datacenters cordoned (comma-separated).", valueName: "dc[,dc]"))
    var ifCordoned: String?

    @Option(name: [.customShort("o"), .long], help: "Output format: text or json.")
    var output: Format = .text

    static func names(_ list: String?) -> Set<String> {
        Set((list ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
    }

    func run() async throws {
        let hub = try cluster.client()
        let inputs: PlanInputs
        let replication: ReplicationPlanInputs
        let services: [ServiceFailover]
        do {
            inputs = try await PlanInputs.read(from: hub)
            replication = try await ReplicationPlanInputs.read(from: hub, datacenters: inputs.datacenters)
            services = try await hub.resource(ServiceFailover.self).list().items.sorted { ServiceLines.key($0) < ServiceLines.key($1) }
        } catch {
            try? await hub.shutdown()
            throw CLIError(StatusCommand.explain(error, server: hub.configuration?.displayServer))
        }
        try await hub.shutdown()
        let unreachable = Self.names(ifUnreachable)
        let cordoned = Self.names(ifCordoned)
        let known = Set(inputs.datacenters.compactMap(\.metadata.name))
        for name in unreachable.union(cordoned).subtracting(known).sorted() {
            throw CLIError("no Datacenter \(name) at the hub: name one of \(known.sorted().joined(separator: ", ")) (kubectl get dc)")
        }
        let now = Date()
        let reports = Self.plan(inputs, unreachable: unreachable, cordoned: cordoned, now: now)
        let replicationReports = replication.plan(
            datacenters: inputs.datacenters, policies: reports, unreachable: unreachable, now: now, mesh: MeshReplication.policy(among: inputs.policies))
        let serviceReports = services.map { sf in
            ServicePlanReport.plan(sf, datacenters: inputs.datacenters, unreachable: unreachable, cordoned: cordoned, now: now, others: services)
        }
        switch output {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            let document = PlanDocument(
                assumeUnreachable: unreachable.sorted(), assumeCordoned: cordoned.sorted(), unreadableMarkers: inputs.unreadable, policies: reports,
                unreadableMembers: replication.unreadable, replication: replicationReports, services: serviceReports)
            print(String(decoding: try encoder.encode(document), as: UTF8.self))
        case .text:
            if !unreachable.isEmpty || !cordoned.isEmpty {
                var assumptions: [String] = []
                if !unreachable.isEmpty { assumptions.append("\(unreachable.sorted().joined(separator: ", ")) Unreachable for each policy's unreachableForSeconds") }
                if !cordoned.isEmpty { assumptions.append("\(cordoned.sorted().joined(separator: ", ")) cordoned") }
                print("If \(assumptions.joined(separator: " and ")):")
            }
            for (name, why) in inputs.unreadable.sorted(by: { $0.key < $1.key }) { print("marker of \(name) unreadable (treated as unknown): \(why)") }
            print(reports.isEmpty ? "No FederationPolicies at the hub: nothing to plan." : reports.map(\.text).joined(separator: "\n"))
            for (name, why) in replication.unreadable.sorted(by: { $0.key < $1.key }) { print("objects of \(name) unreadable (its targets are not planned): \(why)") }
            for report in replicationReports { print(report.text) }
            for report in serviceReports { print(report.text) }
        }
    }

    /// The report of every policy, planned with the controller's function on the inputs and assumptions.
    /// With assumptions, a pass that would wait (the controller requeues until then) is planned again at
    /// the end of the wait, up to `maxWaits` times, so the report shows where the assumptions lead.
    static func plan(_ inputs: PlanInputs, unreachable: Set<String>, cordoned: Set<String>, now: Date, maxWaits: Int = 5) -> [PolicyPlanReport] {
        let stepping = !unreachable.isEmpty || !cordoned.isEmpty
        return inputs.policies.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }.map { policy in
            var at = now
            var waits = 0
            while true {
                let members = inputs.members(of: policy, unreachable: unreachable, cordoned: cordoned, now: now)
                let plan = planPolicy(policy: policy, members: members, markers: inputs.markers(for: members), now: at)
                if stepping, waits < maxWaits, case .wait(let until, _, _) = plan.decision, until > at {
                    at = until.addingTimeInterval(0.001)
                    waits += 1
                    continue
                }
                return PolicyPlanReport(policy: policy, plan: plan, at: at == now ? nil : at)
            }
        }
    }

    /// The JSON document of `-o json`.
    struct PlanDocument: Codable {
        var assumeUnreachable: [String]
        var assumeCordoned: [String]
        var unreadableMarkers: [String: String]
        var policies: [PolicyPlanReport]
        var unreadableMembers: [String: String]
        var replication: [ReplicationPlanReport]
        var services: [ServicePlanReport]
    }
}
