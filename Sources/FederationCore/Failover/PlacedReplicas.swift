import FederationAPI

extension ServiceFailover {
    /// The replicas the ServiceFailovers in `all` other than `service` place in `datacenter` (their
    /// status's desired replicas there as failover or ActiveActive copies): what a datacenter's
    /// `capacity` has already given away. The controller and `concord plan` count alike.
    public static func placedReplicas(in datacenter: String, byOthersThan service: ServiceFailover, among all: [ServiceFailover]) -> Int {
        all.filter { $0.metadata.uid != service.metadata.uid || $0.metadata.name != service.metadata.name }.reduce(0) { sum, other in
            sum + (other.status?.datacenters.filter { $0.name == datacenter && ($0.role == .failover || $0.role == .active) }.reduce(0) { $0 + ($1.desiredReplicas ?? 0) } ?? 0)
        }
    }
}
