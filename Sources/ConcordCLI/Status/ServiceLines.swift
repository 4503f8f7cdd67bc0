import FederationAPI
import Foundation

/// The ServiceFailovers on `concord status`: per service its phase, where it runs (the active
/// datacenter, or the division of replicas when several run it) and its last transition.
enum ServiceLines {
    static func render(_ services: [ServiceFailover], now: Date) -> [String] {
        services.sorted { key($0) < key($1) }.map { sf in
            let s = sf.status
            var line = "ServiceFailover \(key(sf)): \(s?.phase?.rawValue ?? "not reconciled yet"), \(placement(sf))"
            if let t = s?.lastTransition {
                line += "; last \(t.from ?? "none") → \(t.to) (\(t.reason)) \(HumanDuration.format(now.timeIntervalSince(t.startedAt.date))) ago"
                if let d = t.durationSeconds { line += String(format: " in %.1fs", d) } else if t.completedAt == nil { line += ", in progress" }
            }
            return line
        }
    }

    /// `namespace/name`.
    static func key(_ sf: ServiceFailover) -> String { "\(sf.metadata.namespace ?? "")/\(sf.metadata.name ?? "")" }

    /// `active in us-west`, or `us-east 2/2, us-west 1/1` (ready/desired) when several datacenters run
    /// replicas or the service is ActiveActive (which has no active datacenter), then the replicas no
    /// datacenter has room for (`2 unplaced`); an ActiveActive service placed nowhere says so.
    static func placement(_ sf: ServiceFailover) -> String {
        let running = (sf.status?.datacenters ?? []).filter { ($0.desiredReplicas ?? 0) > 0 }
        let unplaced = sf.status?.unplacedReplicas.map { ", \($0) unplaced" } ?? ""
        if running.count > 1 || (sf.spec.effectiveMode == .activeActive && !running.isEmpty) {
            return running.map { "\($0.name) \($0.readyReplicas ?? 0)/\($0.desiredReplicas ?? 0)" }.joined(separator: ", ") + unplaced
        }
        if sf.spec.effectiveMode == .activeActive { return "placed nowhere (\(sf.spec.replicas ?? 0) replicas)" + unplaced }
        return "active in \(sf.status?.activeDatacenter ?? "none") (primary \(sf.spec.primary))"
    }
}
