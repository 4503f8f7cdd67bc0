import FederationAPI
import Foundation

/// How a Pull member's agent reports its fencing marker to the hub, which cannot reach the member.
///
/// The agent writes its member's marker itself (``Fencing/plan(policy:primary:epoch:markers:)`` for
/// its one member, from the FederationPolicy status it reads in the hub) and then reports the
/// marker it holds as the annotation ``annotation`` on its Datacenter, `policy/primary/epoch`.
/// The hub reads that report as the member's marker while the member's Lease is fresh.
public enum MarkerReport {
    /// The Datacenter annotation carrying the reported marker.
    public static let annotation = "federation.concord.dev/fencing-marker"

    /// The annotation value for a marker: `policy/primary/epoch` (empty names for the placeholder).
    public static func value(of marker: FencingMarker) -> String {
        "\(marker.policy)/\(marker.primary)/\(marker.epoch)"
    }

    /// The marker a Datacenter's annotations report, or nil without a (well-formed) report.
    public static func marker(of datacenter: String, annotations: [String: String]?) -> MemberMarker? {
        guard let text = annotations?[annotation] else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let epoch = Int64(parts[2]), epoch >= 0 else { return nil }
        let marker = FencingMarker(policy: String(parts[0]), primary: String(parts[1]), epoch: epoch)
        return MemberMarker(datacenter: datacenter, marker: marker, resourceVersion: nil)
    }
}
