import Foundation
import KubernetesAPI

/// How a ServiceFailover runs its workload across datacenters.
public enum ServiceFailoverMode: String, Codable, Hashable, Sendable, CaseIterable {
    /// Runs in one datacenter at a time, with warm standbys in the failover datacenters (the default).
    case activePassive = "ActivePassive"
    /// Divides `spec.replicas` over every placed datacenter.
    case activeActive = "ActiveActive"
}

/// Where an ActiveActive ServiceFailover may run, and how its replicas are divided.
public struct PlacementSpec: Codable, Hashable, Sendable {
    /// The candidate Datacenters by label (default: every member).
    public var datacenterSelector: LabelSelector?
    /// Static weights (default 1 each); weight 0 places nothing there.
    public var weights: [DatacenterWeight]?
    /// Never fewer datacenters running the service while enough fit (default 1).
    public var minDatacenters: Int?
    /// The most replicas one datacenter gets (default: unbounded).
    public var maxReplicasPerDatacenter: Int?

    /// `minDatacenters` when omitted.
    public static let defaultMinDatacenters = 1

    /// Creates a placement.
    public init(
        datacenterSelector: LabelSelector? = nil, weights: [DatacenterWeight]? = nil, minDatacenters: Int? = nil, maxReplicasPerDatacenter: Int? = nil
    ) {
        self.datacenterSelector = datacenterSelector
        self.weights = weights
        self.minDatacenters = minDatacenters
        self.maxReplicasPerDatacenter = maxReplicasPerDatacenter
    }

    /// `minDatacenters`, or 1 when omitted (at least 1).
    public var effectiveMinDatacenters: Int { max(1, minDatacenters ?? Self.defaultMinDatacenters) }

    /// The weight of `datacenter` (1 when not listed).
    public func weight(of datacenter: String) -> Int {
        max(0, weights?.first { $0.datacenter == datacenter }?.weight ?? 1)
    }
}

/// The weight of one datacenter in an ActiveActive division.
public struct DatacenterWeight: Codable, Hashable, Sendable {
    /// The Datacenter's name.
    public var datacenter: String
    /// Its weight; replicas are divided in proportion.
    public var weight: Int

    /// Creates a weight.
    public init(datacenter: String, weight: Int) {
        self.datacenter = datacenter
        self.weight = weight
    }
}
