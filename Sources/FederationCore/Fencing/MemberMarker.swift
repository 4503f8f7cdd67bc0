import FederationAPI
import Foundation

/// A member's fencing marker as the controller read it in this pass.
///
/// Only members whose marker ConfigMap (`concord-system/concord-federation`) could be read in
/// this pass appear in the `markers` lists the decisions take: a member that is missing from the
/// list is treated as unreachable (its marker is unknown), never as "no marker".
public struct MemberMarker: Hashable, Sendable {
    /// The member Datacenter's name.
    public var datacenter: String
    /// The marker, or nil when the member is reachable but holds no (or an unreadable) marker.
    public var marker: FencingMarker?
    /// The ConfigMap's `metadata.resourceVersion`, the precondition of the next write; nil when absent.
    public var resourceVersion: String?

    /// Creates an observation.
    public init(datacenter: String, marker: FencingMarker?, resourceVersion: String?) {
        self.datacenter = datacenter
        self.marker = marker
        self.resourceVersion = resourceVersion
    }

    /// Reads the observation from the member's marker ConfigMap (nil when it does not exist).
    /// A ConfigMap whose keys are missing or whose epoch is not a number counts as no marker,
    /// but keeps its resourceVersion so the next write replaces it with optimistic concurrency.
    public init(datacenter: String, configMap: ConfigMap?) {
        self.datacenter = datacenter
        self.marker = configMap.flatMap(FencingMarker.init(configMap:))
        self.resourceVersion = configMap?.metadata.resourceVersion
    }

    /// The epoch the member holds: the marker's, or 0 without one. Registration installs a
    /// placeholder marker with epoch 0 and no primary, which means "not fenced into any epoch yet".
    public var epoch: Int64 { marker?.epoch ?? 0 }

    /// The primary the marker names, or nil without a marker or with the placeholder's empty name.
    public var primary: String? {
        guard let name = marker?.primary, !name.isEmpty else { return nil }
        return name
    }

    /// True when the marker names this member itself as primary at a real epoch (above 0):
    /// the member acts as primary for that epoch.
    public var claimsPrimary: Bool { epoch > 0 && primary == datacenter }

    /// True when the marker was written by another FederationPolicy (a non-empty policy name
    /// that is not `policy`).
    public func belongsToAnotherPolicy(than policy: String) -> Bool {
        guard let owner = marker?.policy, !owner.isEmpty else { return false }
        return owner != policy
    }

    /// True when the member holds an epoch older than `epoch` (or no marker at all) and so must be
    /// brought to it — demoted, unless it is the primary in force — before anything it writes is trusted.
    public func isStale(comparedTo epoch: Int64) -> Bool { self.epoch < epoch }
}
