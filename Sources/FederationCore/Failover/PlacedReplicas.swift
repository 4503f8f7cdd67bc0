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
        guard spec.effectiveMode == .activeActive, let move = status?.lastTransition, move.completedAt == nil, let from = move.from else { return 0 }
        for part in from.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == datacenter, let replicas = Int(pair[1]) { return max(0, replicas) }
        }
        return 0
    }

    /// The datacenters an ActiveActive service's status lists (placed there, or with a share of 0),
    /// and those its move in flight started from.
    public var placementDatacenters: Set<String> {
        var names = Set(status?.datacenters.map(\.name) ?? [])
        if let move = status?.lastTransition, move.completedAt == nil, let from = move.from {
            for part in from.split(separator: ",") {
                let pair = part.split(separator: "=", maxSplits: 1)
                if pair.count == 2, (Int(pair[1]) ?? 0) > 0 { names.insert(String(pair[0])) }
            }
        }
        return names
    }
}
