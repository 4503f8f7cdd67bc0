import FederationAPI
import Foundation

/// `concord status -o json`: the same screen as data.
struct StatusDocument: Codable, Equatable {
    struct Policy: Codable, Equatable {
        var name: String
        var primary: String?
        var epoch: Int64
        var readyMembers: Int
        var members: Int
        var ready: String?
    }

    struct DatacenterRow: Codable, Equatable {
        var name: String
        var region: String
        var role: String?
        var phase: String
        var latencyMilliseconds: Int?
    }

    struct Target: Codable, Equatable {
        var datacenter: String
        var state: String
        var lagSeconds: Double?
        var objectsInSync: Int?
        var conflicts: Int
    }

    struct Rule: Codable, Equatable {
        var name: String
        var source: String?
        var sourceEpoch: Int64?
        var objects: Int
        var conflictsWaiting: Int
        var conflictsTotal: Int64
        var ready: String?
        var targets: [Target]
    }

    struct Service: Codable, Equatable {
        var name: String
        var phase: String?
        var activeDatacenter: String?
        var placement: String
        var lastTransition: FailoverTransition?
    }

    var policies: [Policy]
    var datacenters: [DatacenterRow]
    var replicationRules: [Rule]
    var services: [Service]

    init(_ summary: FederationSummary) {
        policies = summary.policies.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }.map { p in
            Policy(
                name: p.metadata.name ?? "", primary: p.status?.primary, epoch: p.status?.epoch ?? 0, readyMembers: p.status?.readyMembers ?? 0,
                members: p.status?.members.count ?? 0, ready: Self.summary(p.status?.conditions))
        }
        datacenters = summary.datacenters.sorted { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }.map { dc in
            DatacenterRow(
                name: dc.metadata.name ?? "", region: dc.spec.region, role: dc.status?.role?.rawValue, phase: dc.status?.phase?.rawValue ?? "Pending",
                latencyMilliseconds: dc.status?.latencyMilliseconds)
        }
        replicationRules = summary.rules.sorted { $0.ruleAnnotationValue < $1.ruleAnnotationValue }.map { r in
            let s = r.status
            return Rule(
                name: r.ruleAnnotationValue, source: s?.sourceDatacenter, sourceEpoch: s?.sourceEpoch, objects: s?.objects ?? 0,
                conflictsWaiting: s?.conflicts.filter { $0.resolution == .manual }.count ?? 0, conflictsTotal: s?.conflictsTotal ?? 0,
                ready: Self.summary(s?.conditions),
                targets: (s?.targets ?? []).map {
                    Target(
                        datacenter: $0.datacenter, state: $0.state?.rawValue ?? "Pending", lagSeconds: $0.lagSeconds,
                        objectsInSync: $0.objectsInSync, conflicts: $0.conflicts ?? 0)
                })
        }
        services = summary.services.sorted { ServiceLines.key($0) < ServiceLines.key($1) }.map { sf in
            Service(
                name: ServiceLines.key(sf), phase: sf.status?.phase?.rawValue, activeDatacenter: sf.status?.activeDatacenter,
                placement: ServiceLines.placement(sf), lastTransition: sf.status?.lastTransition)
        }
    }

    /// `True`, or `False Reason: message`, from the `Ready` condition.
    static func summary(_ conditions: [Condition]?) -> String? {
        guard let ready = conditions?.condition(CommonConditionType.ready) else { return nil }
        return ready.status == .true ? "True" : "\(ready.status.rawValue) \(ready.reason): \(ready.message)"
    }
}
