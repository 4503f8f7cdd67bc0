import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import Synchronization

/// `federation.concord.dev/resolution` values that are neither KeepSource nor KeepTarget (a person's
/// typo, such as `keepsource`), which no pass acts on. Each is reported once per rule, object,
/// datacenter and value while it stays; one corrected and mistyped again is reported again.
final class ReplicationResolutionTypos: Sendable {
    /// A mistyped value on one object in one member.
    struct Typo: Hashable, Sendable {
        var datacenter: String
        var key: ReplicaKey
        var value: String
    }

    private let reported = Mutex<[ObjectKey: Set<Typo>]>([:])

    /// The mistyped values among `targets`' objects.
    static func typos(in targets: [ReplicationTargetView]) -> Set<Typo> {
        var found = Set<Typo>()
        for target in targets {
            for (key, object) in target.objects {
                guard let value = object["metadata"]?["annotations"]?[FederationAnnotation.resolution]?.stringValue,
                      ConflictDecision(rawValue: value) == nil else { continue }
                found.insert(Typo(datacenter: target.datacenter, key: key, value: value))
            }
        }
        return found
    }

    /// The typos of rule `rule` among `targets` not reported before, sorted; those no longer found are forgotten.
    func unreported(_ rule: ObjectKey, in targets: [ReplicationTargetView]) -> [Typo] {
        let found = Self.typos(in: targets)
        let new = reported.withLock { reported in
            let new = found.subtracting(reported[rule] ?? [])
            reported[rule] = found.isEmpty ? nil : found
            return new
        }
        return new.sorted { ($0.datacenter, $0.key.description, $0.value) < ($1.datacenter, $1.key.description, $1.value) }
    }

    /// Forgets what was reported for `rule` (it is gone or being deleted).
    func forget(_ rule: ObjectKey) { _ = reported.withLock { $0.removeValue(forKey: rule) } }

    /// The Warning's note: the object, the datacenter, the value and the accepted values.
    static func note(_ typo: Typo) -> String {
        let accepted = ConflictDecision.allCases.map(\.rawValue).joined(separator: " or ")
        return "\(typo.key) in \(typo.datacenter): \(FederationAnnotation.resolution) is \"\(typo.value)\", which Concord ignores; set \(accepted)."
    }
}
