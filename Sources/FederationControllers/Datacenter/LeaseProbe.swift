import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Synchronization

/// Probes a Pull-mode datacenter by reading its agent's Lease in the hub.
///
/// Freshness is judged on the hub's own clock: the time the hub first saw each new `renewTime`
/// (client-go's observed-time rule), so a member whose clock is skewed can neither look alive
/// nor dead because of it. The same hysteresis as Push probes then applies.
final class LeaseProbe: Sendable {
    private struct Seen {
        var renewTime: MicroTime?
        var observedAt: Date?
    }

    private let leases: ResourceClient<Lease>
    private let datacenter: String
    private let clock: RuntimeClock
    private let now: @Sendable () -> Date
    private let seen = Mutex(Seen())

    /// `clock` bounds each read; `now` judges freshness.
    init(leases: ResourceClient<Lease>, datacenter: String, clock: RuntimeClock, now: @escaping @Sendable () -> Date) {
        self.leases = leases
        self.datacenter = datacenter
        self.clock = clock
        self.now = now
    }

    /// Reads the Lease once and judges it.
    func probe(timeout: Duration) async -> ProbeResult {
        let lease: Lease?
        do {
            lease = try await withTimeout(timeout, "reading Lease \(Datacenter.leaseNamespace)/\(Datacenter.leaseName(for: datacenter))", clock: clock) { [leases, datacenter] in
                try await leases.get(Datacenter.leaseName(for: datacenter), namespace: Datacenter.leaseNamespace)
            }
        } catch let error as KubeAPIError where error.isNotFound {
            lease = nil
        } catch {
            return .failure(reason: Datacenter.Reason.probeFailed, message: "cannot read the agent's Lease in the hub: \(error)")
        }
        let at = now()
        let observed = seen.withLock { s -> Date? in
            let renew = lease?.spec?.renewTime
            if renew != s.renewTime {
                s.renewTime = renew
                s.observedAt = renew == nil ? nil : at
            }
            return s.observedAt
        }
        return DatacenterHealth.leaseProbe(lease: lease, renewObservedAt: observed, now: at)
    }
}
