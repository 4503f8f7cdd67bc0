import FederationAPI
import FederationCore
import KubernetesAPI

/// What Concord made in a member for a ServiceFailover, told apart by its labels and stamps, so
/// what a deleted ServiceFailover left in a member that was away can be found and removed as its
/// deletion would have.
enum FailoverOrphans {
    /// One object Concord made for a ServiceFailover.
    enum Leftover: Equatable {
        /// An EndpointSlice of the global Service (label `endpointslice.kubernetes.io/managed-by: federation.concord.dev`).
        case globalSlice(service: String)
        /// The global Service `<service>-global`: Concord's, with no source stamp.
        case globalService(service: String)
        /// A copy of the Service, stamped with the datacenter it was read from.
        case serviceCopy(service: String)
        /// A copy of the workload, with the replicas it runs.
        case workloadCopy(replicas: Int)
    }

    /// The order leftovers are removed in: workload copies, then global objects, then Service copies.
    /// (A copy scaled up since it was read fails its delete and ends the pass before its Service copy.)
    static func removalRank(_ leftover: Leftover) -> Int {
        switch leftover {
        case .workloadCopy: 0
        case .globalSlice, .globalService: 1
        case .serviceCopy: 2
        }
    }

    /// The ServiceFailover that `object` was made for: its `federation.concord.dev/service-failover`
    /// label, on an object labelled `federation.concord.dev/managed: "true"` (nil for anything else).
    static func owner(of object: JSONValue) -> String? {
        guard StandbyCopy.isCopy(object), case .string(let owner)? = object.value(at: ["metadata", "labels", FederationLabel.serviceFailover]),
            !owner.isEmpty
        else { return nil }
        return owner
    }

    /// What `object` (of `kind`, made for some ServiceFailover) is; nil for an EndpointSlice the
    /// member made itself for a copied Service (it carries the Service's labels, but the member keeps it).
    static func leftover(_ object: JSONValue, kind: String) -> Leftover? {
        let name = ReplicaContent.name(of: object)
        let stamped = object.value(at: ["metadata", "annotations", FederationAnnotation.sourceDatacenter]) != nil
        switch kind {
        case "EndpointSlice":
            guard object.value(at: ["metadata", "labels", GlobalService.managedByLabel])?.stringValue == GlobalService.managedBy,
                let global = object.value(at: ["metadata", "labels", GlobalService.serviceNameLabel])?.stringValue
            else { return nil }
            return .globalSlice(service: serviceName(ofGlobal: global))
        case "Service":
            return stamped ? .serviceCopy(service: name) : .globalService(service: serviceName(ofGlobal: name))
        default:
            return stamped ? .workloadCopy(replicas: StandbyCopy.replicas(of: object)) : nil
        }
    }

    /// `<service>` of `<service>-global`.
    static func serviceName(ofGlobal name: String) -> String {
        name.hasSuffix(globalSuffix) ? String(name.dropLast(globalSuffix.count)) : name
    }

    private static let globalSuffix = GlobalService.name(of: "")
}
