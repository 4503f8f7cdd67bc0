import Foundation

/// `discovery.k8s.io/v1.EndpointSlice`: the addresses behind a Service. Concord publishes one
/// for each `<service>-global` Service, pointing at the active datacenter's endpoints.
public struct EndpointSlice: KubeResource, Hashable {
    /// The resource `endpointslices` in `discovery.k8s.io/v1`.
    public static let groupVersionResource = GroupVersionResource(group: "discovery.k8s.io", version: "v1", resource: "endpointslices")
    /// `EndpointSlice`.
    public static let kind = "EndpointSlice"
    /// EndpointSlices are namespaced.
    public static let isNamespaced = true
    /// The label naming the Service a slice belongs to.
    public static let serviceNameLabel = "kubernetes.io/service-name"
    /// The label naming the controller that manages a slice.
    public static let managedByLabel = "endpointslice.kubernetes.io/managed-by"

    /// Always `discovery.k8s.io/v1`.
    @DefaultAPIVersion<Self> public var apiVersion: String
    /// Always `EndpointSlice`.
    @DefaultKind<Self> public var kind: String
    /// The object's metadata; label `kubernetes.io/service-name` ties it to its Service.
    @DefaultEmpty public var metadata: ObjectMeta
    /// `IPv4`, `IPv6` or `FQDN`.
    public var addressType: AddressType
    /// The endpoints.
    @DefaultEmpty public var endpoints: [Endpoint]
    /// The ports every endpoint serves.
    public var ports: [Port]?

    /// Creates an EndpointSlice.
    public init(metadata: ObjectMeta, addressType: AddressType, endpoints: [Endpoint] = [], ports: [Port]? = nil) {
        self.metadata = metadata
        self.addressType = addressType
        self.endpoints = endpoints
        self.ports = ports
    }

    /// The kind of addresses a slice holds.
    public enum AddressType: String, Codable, Hashable, Sendable, CaseIterable {
        /// IPv4 addresses.
        case ipv4 = "IPv4"
        /// IPv6 addresses.
        case ipv6 = "IPv6"
        /// Fully qualified domain names.
        case fqdn = "FQDN"
    }

    /// `discovery/v1.Endpoint`: one backend.
    public struct Endpoint: Codable, Hashable, Sendable {
        /// Its addresses (usually one).
        public var addresses: [String]
        /// Readiness.
        public var conditions: Conditions?
        /// Hostname, for headless Services.
        public var hostname: String?
        /// The node it runs on.
        public var nodeName: String?
        /// The zone it runs in.
        public var zone: String?
        /// The Pod (or other object) behind it.
        public var targetRef: ObjectReference?
        /// Topology hints: the zones whose clients should use this endpoint.
        public var hints: Hints?

        /// Creates an endpoint.
        public init(
            addresses: [String], conditions: Conditions? = nil, hostname: String? = nil, nodeName: String? = nil,
            zone: String? = nil, targetRef: ObjectReference? = nil, hints: Hints? = nil
        ) {
            self.hints = hints
            self.addresses = addresses
            self.conditions = conditions
            self.hostname = hostname
            self.nodeName = nodeName
            self.zone = zone
            self.targetRef = targetRef
        }

        /// True unless `conditions.ready` is explicitly false (absent means ready, as in Kubernetes).
        public var isReady: Bool { conditions?.ready ?? true }
    }

    /// `discovery/v1.EndpointHints`: where an endpoint should be consumed.
    public struct Hints: Codable, Hashable, Sendable {
        /// The zones whose clients should use the endpoint.
        public var forZones: [ForZone]?

        /// Creates hints.
        public init(forZones: [ForZone]? = nil) { self.forZones = forZones }
    }

    /// `discovery/v1.ForZone`: one zone of a hint.
    public struct ForZone: Codable, Hashable, Sendable {
        /// The zone's name.
        public var name: String

        /// Creates a zone hint.
        public init(name: String) { self.name = name }
    }

    /// `discovery/v1.EndpointConditions`.
    public struct Conditions: Codable, Hashable, Sendable {
        /// Ready to receive traffic.
        public var ready: Bool?
        /// Serving, even while terminating.
        public var serving: Bool?
        /// Shutting down.
        public var terminating: Bool?

        /// Creates conditions.
        public init(ready: Bool? = nil, serving: Bool? = nil, terminating: Bool? = nil) {
            self.ready = ready
            self.serving = serving
            self.terminating = terminating
        }
    }

    /// `discovery/v1.EndpointPort`.
    public struct Port: Codable, Hashable, Sendable {
        /// Matches a Service port's name.
        public var name: String?
        /// `TCP` (default), `UDP` or `SCTP`.
        public var `protocol`: String?
        /// The port number.
        public var port: Int?
        /// Application protocol hint.
        public var appProtocol: String?

        /// Creates a port.
        public init(name: String? = nil, protocol: String? = nil, port: Int? = nil, appProtocol: String? = nil) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
            self.appProtocol = appProtocol
        }
    }
}

/// A list of EndpointSlices.
public typealias EndpointSliceList = KubeList<EndpointSlice>
