import FederationAPI

extension ServiceFailover {
    /// The replicas the ServiceFailovers in `all` other than `service` place in `datacenter` (their
    /// status's desired replicas there as failover or ActiveActive copies): what a datacenter's
    /// `capacity` has already given away. While another's ActiveActive move is in flight, its copy
    /// there may still ask for what the division it started from gave it (it scales down only once
    /// the datacenters that gain are ready), so the larger of the two counts. The controller and
    /// `concord plan` count alike.
    public static func placedReplicas(in datacenter: String, byOthersThan service: ServiceFailover, among all: [ServiceFailover]) -> Int {
        all.filter { $0.metadata.uid != service.metadata.uid || $0.metadata.name != service.metadata.name }.reduce(0) { sum, other in
            let placed = other.status?.datacenters.filter { $0.name == datacenter && ($0.role == .failover || $0.role == .active) }.reduce(0) { $0 + ($1.desiredReplicas ?? 0) } ?? 0
            return sum + max(placed, other.inFlightShare(of: datacenter))
        }
    }

    /// What the division an ActiveActive move in flight started from gave `datacenter` (its
    /// `lastTransition.from`, which reads like `eu-central=3,us-east=6`); 0 when no such move is in flight.
    public func inFlightShare(of datacenter: String) -> Int {
        guard spec.effectiveMode == .activeActive else { return 0 }
        return FailoverTransition.inFlightDivision(status?.lastTransition).first { $0.datacenter == datacenter }.map { max(0, $0.replicas) } ?? 0
    }

    /// The datacenters an ActiveActive service's status lists (placed there, or with a share of 0),
    /// and those its move in flight started from.
    public var placementDatacenters: Set<String> {
        var names = Set(status?.datacenters.map(\.name) ?? [])
        for share in FailoverTransition.inFlightDivision(status?.lastTransition) where share.replicas > 0 { names.insert(String(share.datacenter)) }
        return names
    }
}

extension FailoverTransition {
    /// The division an ActiveActive move in flight started from (its `from`, which reads like
    /// `eu-central=3,us-east=6`), datacenter by datacenter; empty when `move` is nil, completed, or
    /// names no division (an ActivePassive move's `from` is a datacenter, a first placement's `none`).
    public static func inFlightDivision(_ move: FailoverTransition?) -> [(datacenter: Substring, replicas: Int)] {
        guard let move, move.completedAt == nil, let from = move.from, from.utf8.contains(UInt8(ascii: "=")) else { return [] }
        return from.split(separator: ",").compactMap { part in
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let replicas = Int(pair[1]) else { return nil }
            return (pair[0], replicas)
        }
    }
}
