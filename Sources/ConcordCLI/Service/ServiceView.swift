import FederationAPI
import Foundation
import KubernetesAPI

/// The answer of `concord service get`: the datacenters of a ServiceFailover's discovery view
/// (`status.datacenters`) that a query selects, as a table or JSON.
struct ServiceView: Equatable {
    /// Which datacenters a query asks for.
    enum Query: Equatable {
        /// The datacenter that serves traffic now.
        case active
        /// One named datacenter.
        case datacenter(String)
        /// Every datacenter of the view.
        case all
        /// The first of these, in order, that is reachable and has ready endpoints.
        case failover([String])
    }

    /// `namespace/name` of the ServiceFailover.
    var service: String
    /// `status.activeDatacenter`.
    var active: String?
    /// `status.phase`.
    var phase: String?
    /// The selected datacenters.
    var datacenters: [ServiceDatacenterStatus]
    /// ActiveActive with `--datacenter X`: which endpoints clients in X use.
    var routing: String?

    /// Selects from `sf`'s view, or a one-line error saying why nothing answers. `members` are the
    /// federation's Datacenters: an ActiveActive service answers `--datacenter X` for a member it is
    /// not placed in too (clients there use the placed datacenters' endpoints of `<service>-global`).
    static func answer(_ query: Query, for sf: ServiceFailover, members: Set<String> = []) throws -> ServiceView {
        let name = "\(sf.metadata.namespace ?? "")/\(sf.metadata.name ?? "")"
        let view = sf.status?.datacenters ?? []
        guard !view.isEmpty else {
            throw CLIError("servicefailover \(name) has no discovery view yet: the controller has not reconciled it (`kubectl describe sf \(sf.metadata.name ?? "") -n \(sf.metadata.namespace ?? "")`)")
        }
        let active = sf.status?.activeDatacenter
        let selected: [ServiceDatacenterStatus]
        switch query {
        case .all:
            selected = view
        case .active where sf.spec.effectiveMode == .activeActive:
            // No single active datacenter: every one the division places replicas in.
            selected = view.filter { ($0.desiredReplicas ?? 0) > 0 }
        case .active:
            selected = view.filter { $0.name == active }
        case .datacenter(let dc):
            selected = view.filter { $0.name == dc }
            if selected.isEmpty, sf.spec.effectiveMode == .activeActive, !members.isEmpty, !members.contains(dc) {
                // Any member answers for an ActiveActive service: name them, not only the placed ones.
                throw CLIError("\(dc) is not a Datacenter of the federation; its Datacenters are \(members.sorted().joined(separator: ", "))")
            }
            if selected.isEmpty, !(sf.spec.effectiveMode == .activeActive && members.contains(dc)) {
                throw CLIError("\(dc) is not a datacenter of servicefailover \(name); its datacenters are \(view.map(\.name).joined(separator: ", "))")
            }
        case .failover(let order):
            if !members.isEmpty, let unknown = order.first(where: { !members.contains($0) }) {
                throw CLIError("\(unknown) is not a Datacenter of the federation; its Datacenters are \(members.sorted().joined(separator: ", "))")
            }
            guard let first = order.lazy.compactMap({ dc in view.first { $0.name == dc } }).first(where: Self.serving) else {
                throw CLIError("none of \(order.joined(separator: ", ")) has ready endpoints for \(name); `concord service get \(sf.metadata.name ?? "") -n \(sf.metadata.namespace ?? "") --all-datacenters` shows each")
            }
            selected = [first]
        }
        var answer = ServiceView(service: name, active: active, phase: sf.status?.phase?.rawValue, datacenters: selected)
        if sf.spec.effectiveMode == .activeActive, case .datacenter(let dc) = query {
            let local = (selected.first?.reachable == true ? selected.first?.endpoints?.count : nil) ?? 0
            let minimum = sf.spec.effectivePolicy.effectiveMinLocalReadyReplicas
            let others = view.filter { $0.name != dc && Self.serving($0) }.map(\.name)
            answer.routing = selected.isEmpty
                ? "\(dc) is not in \(sf.spec.service)'s placement; clients in \(dc) use \(others.isEmpty ? "no datacenter (none has ready endpoints)" : others.joined(separator: ", ")) through \(sf.spec.service)-global"
                : local >= minimum && local > 0
                ? "clients in \(dc) use its own \(local) ready endpoint\(local == 1 ? "" : "s") (at least minLocalReadyReplicas \(minimum))"
                : local > 0
                ? (others.isEmpty
                    ? "clients in \(dc) use its own \(local) ready endpoint\(local == 1 ? "" : "s") (fewer than minLocalReadyReplicas \(minimum), and no other datacenter has ready endpoints)"
                    : "clients in \(dc) use \(others.joined(separator: ", ")) as well as its own \(local) ready endpoint\(local == 1 ? "" : "s") (fewer than minLocalReadyReplicas \(minimum))")
                : "clients in \(dc) fall back to \(others.isEmpty ? "no other datacenter" : others.joined(separator: ", ")) (0 ready locally, fewer than minLocalReadyReplicas \(minimum))"
        }
        return answer
    }

    /// Reachable, with ready replicas and endpoints.
    static func serving(_ dc: ServiceDatacenterStatus) -> Bool {
        dc.reachable == true && (dc.readyReplicas ?? 0) > 0 && !(dc.endpoints ?? []).isEmpty
    }

    /// A kubectl-style table: DATACENTER ROLE ACTIVE REACHABLE DESIRED READY ENDPOINTS, then the routing line if any
    /// (that line alone for a datacenter the service does not run in).
    var table: String {
        let header = ["DATACENTER", "ROLE", "ACTIVE", "REACHABLE", "DESIRED", "READY", "ENDPOINTS"]
        let routingLine = routing.map { "\n\($0)" } ?? ""
        let rows = datacenters.map { dc -> [String] in
            [
                dc.name, dc.role?.rawValue ?? "", dc.name == active ? "*" : "", dc.reachable.map { $0 ? "yes" : "no" } ?? "unknown",
                dc.desiredReplicas.map(String.init) ?? "", dc.readyReplicas.map(String.init) ?? "",
                (dc.endpoints ?? []).isEmpty ? "<none>" : (dc.endpoints ?? []).joined(separator: ","),
            ]
        }
        if rows.isEmpty, let routing { return routing }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            row.enumerated().map { column, cell in column == row.count - 1 ? cell : cell.padding(toLength: widths[column] + 3, withPad: " ", startingAt: 0) }.joined()
        }.joined(separator: "\n") + routingLine
    }

    /// `{"service": …, "activeDatacenter": …, "phase": …, "datacenters": [...]}`, keys sorted.
    func json() throws -> String {
        struct Document: Encodable {
            var service: String
            var activeDatacenter: String?
            var phase: String?
            var datacenters: [ServiceDatacenterStatus]
            var routing: String?
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Document(service: service, activeDatacenter: active, phase: phase, datacenters: datacenters, routing: routing)), as: UTF8.self)
    }
}
