import FederationAPI
import Foundation

/// The ReplicationRules on `concord status`: per rule its source, objects and readiness, then per
/// target its state, lag, objects in sync and waiting conflicts.
enum ReplicationLines {
    static func render(_ rules: [ReplicationRule]) -> [String] {
        var lines: [String] = []
        for rule in rules.sorted(by: { $0.ruleAnnotationValue < $1.ruleAnnotationValue }) {
            let s = rule.status
            var line = "ReplicationRule \(rule.ruleAnnotationValue): source \(s?.sourceDatacenter ?? "none") (epoch \(s?.sourceEpoch ?? 0)), \(BackupCommand.objects(s?.objects ?? 0))"
            if let total = s?.conflictsTotal, total > 0 { line += ", \(total) \(total == 1 ? "conflict" : "conflicts") so far" }
            if let ready = s?.conditions.condition(CommonConditionType.ready) {
                line += ready.status == .true ? ", Ready" : " — \(ready.reason): \(ready.message)"
            } else {
                line += ", not reconciled yet"
            }
            lines.append(line)
            for t in s?.targets ?? [] {
                let lag = t.lagSeconds.map { String(format: "lag %.1fs", $0) } ?? "lag -"
                var target = "  → \(t.datacenter): \(t.state?.rawValue ?? "Pending"), \(lag), \(t.objectsInSync ?? 0) in sync"
                if let conflicts = t.conflicts, conflicts > 0 { target += ", \(conflicts) \(conflicts == 1 ? "conflict" : "conflicts") waiting" }
                if let message = t.message { target += " — \(message)" }
                lines.append(target)
            }
        }
        return lines
    }
}
