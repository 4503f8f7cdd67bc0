import FederationAPI
import FederationCore
import Foundation

/// Probes and runs for the health tables. Probes happen one second apart from `start`.
enum Health {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)
    static let defaults = EffectiveHealthCheck.defaults

    static let ok = ProbeResult.success(latency: .milliseconds(3), serverVersion: "v1.32.0")
    static let refused = ProbeResult.failure(reason: Datacenter.Reason.connectionFailed, message: "connection refused")
    static let timeout = ProbeResult.failure(reason: Datacenter.Reason.probeTimeout, message: "no answer within 1s")

    static func at(_ second: Int) -> Date { start.addingTimeInterval(TimeInterval(second)) }

    /// Runs the probes in order (the i-th at second `first + i`), keeping the computed status in memory.
    static func run(
        _ probes: [ProbeResult], from initial: DatacenterStatus? = nil, healthCheck: EffectiveHealthCheck = defaults,
        generation: Int64 = 1, first: Int = 0
    ) -> [DatacenterStatus] {
        var status = initial
        var out: [DatacenterStatus] = []
        for (i, probe) in probes.enumerated() {
            let next = DatacenterHealth.evaluate(previous: status, probe: probe, healthCheck: healthCheck, generation: generation, now: at(first + i))
            out.append(next)
            status = next
        }
        return out
    }

    /// The status after `probes`, starting from nothing.
    static func after(_ probes: [ProbeResult], healthCheck: EffectiveHealthCheck = defaults) -> DatacenterStatus {
        run(probes, healthCheck: healthCheck).last ?? DatacenterStatus()
    }

    static func repeated(_ probe: ProbeResult, _ n: Int) -> [ProbeResult] { Array(repeating: probe, count: n) }

    /// A Ready datacenter after two successes at seconds 0 and 1; further probes start at second 2.
    static let ready = after([ok, ok])
}
