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

    /// Per rule, the typos found by its latest pass, and the read that pass made (``RulePasses``).
    private struct Found {
        var typos: Set<Typo> = []
        var read: Int?
    }

    private let reported = Mutex<[ObjectKey: Found]>([:])

    /// The mistyped values among `objects` (of `datacenter`).
    static func typos(in objects: some Sequence<(key: ReplicaKey, value: JSONValue)>, at datacenter: String) -> [Typo] {
        objects.compactMap { key, object in
            guard let value = object["metadata"]?["annotations"]?[FederationAnnotation.resolution]?.stringValue, ConflictDecision(rawValue: value) == nil else { return nil }
            return Typo(datacenter: datacenter, key: key, value: value)
        }
    }

    /// The typos of rule `rule` among `targets` not reported before, sorted; those no longer found are
    /// forgotten. With `changes` found by the read `generation` against the read the previous call saw,
    /// only the changed objects of the targets they list are looked at again.
    func unreported(_ rule: ObjectKey, in targets: [ReplicationTargetView], changes: ReplicationChanges? = nil, generation: (from: Int, to: Int)? = nil) -> [Typo] {
        let new = reported.withLock { reported in
            let previous = reported[rule] ?? Found()
            let fed = generation.map { previous.read == $0.from } ?? false
            var found = Set<Typo>()
            for target in targets {
                if fed, let changed = changes?.targets[target.datacenter].map({ $0.union(changes?.sources ?? []) }) {
                    found.formUnion(previous.typos.filter { $0.datacenter == target.datacenter && !changed.contains($0.key) })
                    found.formUnion(Self.typos(in: changed.lazy.compactMap { key in target.objects[key].map { (key, $0) } }, at: target.datacenter))
                } else {
                    found.formUnion(Self.typos(in: target.objects.lazy.map { ($0.key, $0.value) }, at: target.datacenter))
                }
            }
            let new = found.subtracting(previous.typos)
            reported[rule] = Found(typos: found, read: generation?.to)
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
