import Foundation

/// `core/v1.Service` (the subset Concord uses). Named `KubeService` so it never collides with
/// swift-service-lifecycle's `Service` protocol; its `kind` is `Service`.
public struct KubeService: StatusHavingResource, Hashable {
    /// The resource `services` in `v1`.
    public static let groupVersionResource = GroupVersionResource(group: "", version: "v1", resource: "services")
    /// `Service`.
    public static let kind = "Service"
    /// Services are namespaced.
    public static let isNamespaced = true

    /// Always `v1`.
    @DefaultAPIVersion<Self> public var apiVersion: String
    /// Always `Service`.
    @DefaultKind<Self> public var kind: String
    /// The object's metadata.
    @DefaultEmpty public var metadata: ObjectMeta
    /// Selector, ports and type.
    public var spec: ServiceSpec?
    /// Load-balancer state, kept opaque.
    public var status: JSONValue?

    /// Creates a Service.
    public init(metadata: ObjectMeta, spec: ServiceSpec? = nil, status: JSONValue? = nil) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }
}

/// A list of Services.
public typealias KubeServiceList = KubeList<KubeService>

/// `core/v1.ServiceSpec` (subset).
public struct ServiceSpec: Codable, Hashable, Sendable {
    /// Pods with these labels back the Service; absent for selector-less Services (manual EndpointSlices).
    public var selector: [String: String]?
    /// The ports the Service exposes.
    public var ports: [ServicePort]?
    /// `ClusterIP` (default), `NodePort`, `LoadBalancer` or `ExternalName`.
    public var type: String?
    /// The virtual IP, or `None` for a headless Service.
    public var clusterIP: String?
    /// The virtual IPs per family.
    public var clusterIPs: [String]?
    /// `None` or `ClientIP`.
    public var sessionAffinity: String?
    /// Target of an ExternalName Service.
    public var externalName: String?

    /// Creates a spec.
    public init(
        selector: [String: String]? = nil, ports: [ServicePort]? = nil, type: String? = nil, clusterIP: String? = nil,
        clusterIPs: [String]? = nil, sessionAffinity: String? = nil, externalName: String? = nil
    ) {
        self.selector = selector
        self.ports = ports
        self.type = type
        self.clusterIP = clusterIP
        self.clusterIPs = clusterIPs
        self.sessionAffinity = sessionAffinity
        self.externalName = externalName
    }
}

/// `core/v1.ServicePort`.
public struct ServicePort: Codable, Hashable, Sendable {
    /// Port name, required when there are several.
    public var name: String?
    /// `TCP` (default), `UDP` or `SCTP`.
    public var `protocol`: String?
    /// The port the Service listens on.
    public var port: Int
    /// The backend port, by number or by name.
    public var targetPort: IntOrString?
    /// The node port for NodePort and LoadBalancer Services.
    public var nodePort: Int?
    /// Application protocol hint, such as `http`.
    public var appProtocol: String?

    /// Creates a port.
    public init(
        name: String? = nil, protocol: String? = nil, port: Int, targetPort: IntOrString? = nil,
        nodePort: Int? = nil, appProtocol: String? = nil
    ) {
        self.name = name
        self.protocol = `protocol`
        self.port = port
        self.targetPort = targetPort
        self.nodePort = nodePort
        self.appProtocol = appProtocol
    }
}
