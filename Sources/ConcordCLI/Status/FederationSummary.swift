import FederationAPI
import Foundation
import KubeClient

/// What `concord status` shows: every policy's primary and epoch, the datacenters, then the
/// replication rules with their targets, lag and conflicts, then the services with where they run.
struct FederationSummary {
    var policies: [FederationPolicy]
    var datacenters: [Datacenter]
    var rules: [ReplicationRule] = []
    var services: [ServiceFailover] = []

    /// Reads policies, datacenters, replication rules and service failovers from the hub.
    static func read(from hub: KubeClient) async throws -> FederationSummary {
        let datacenters = try await hub.resource(Datacenter.self).list().items
        let policies = try await hub.resource(FederationPolicy.self).list().items
        let rules = try await hub.resource(ReplicationRule.self).list().items
        let services = try await hub.resource(ServiceFailover.self).list().items
        return FederationSummary(policies: policies, datacenters: datacenters, rules: rules, services: services)
    }

    /// One screen of text.
    func render(now: Date) -> String {
        var lines: [String] = []
        for p in policies.sorted(by: { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }) {
            let s = p.status
            let ready = s?.conditions.condition(CommonConditionType.ready)
            var line = "FederationPolicy \(p.metadata.name ?? ""): primary \(s?.primary ?? "none"), epoch \(s?.epoch ?? 0), \(s?.readyMembers ?? 0)/\(s?.members.count ?? 0) members Ready"
            if let ready, ready.status != .true { line += " — \(ready.reason): \(ready.message)" }
            lines.append(line)
        }
        if !lines.isEmpty { lines.append("") }
        lines.append(DatacenterTable.render(datacenters, now: now))
        let replication = ReplicationLines.render(rules)
        if !replication.isEmpty { lines += [""] + replication }
        let services = ServiceLines.render(services, now: now)
        if !services.isEmpty { lines += [""] + services }
        return lines.joined(separator: "\n")
    }
}
