import FederationAPI
import Foundation

extension DatacenterHealth {
    /// The Lease duration assumed when an agent's Lease does not state one (seconds).
    public static let defaultLeaseDurationSeconds = 15

    /// Turns a Pull-mode agent's Lease (`concord-system/dc-<name>` in the hub) into a probe result,
    /// so Pull members go through the same phases as Push members.
    ///
    /// Freshness is measured from `renewObservedAt` — the hub's own time when it last saw
    /// `spec.renewTime` change — when given, so a skewed clock in the member cannot make its Lease
    /// look fresh or stale (the rule client-go's leader election follows). Without it, the Lease's
    /// `renewTime` is used. The Lease is fresh while less than `leaseDurationSeconds` (default 15)
    /// have passed.
    ///
    /// - Parameters:
    ///   - lease: The agent's Lease, or nil when it does not exist.
    ///   - renewObservedAt: When the hub last observed a new `renewTime`, if it tracks that.
    ///   - now: The current time.
    public static func leaseProbe(lease: Lease?, renewObservedAt: Date?, now: Date) -> ProbeResult {
        guard let lease, let spec = lease.spec, let renewed = renewObservedAt ?? spec.renewTime?.date else {
            return .failure(reason: Datacenter.Reason.leaseMissing, message: "The agent has not renewed its Lease yet.")
        }
        let duration = Double(spec.leaseDurationSeconds ?? defaultLeaseDurationSeconds)
        let age = now.timeIntervalSince(renewed)
        if age < duration { return .success(latency: nil, serverVersion: nil) }
        // The message names the renewal instant, not its age, so it stays the same from probe to
        // probe and does not force a status write each time.
        return .failure(
            reason: Datacenter.Reason.leaseExpired,
            message: "The agent's Lease expired: last renewed at \(KubeTime(renewed)), duration \(Int(duration))s."
        )
    }
}
