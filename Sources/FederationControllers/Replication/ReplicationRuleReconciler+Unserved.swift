import FederationAPI
import FederationCore
import Foundation
import KubeClient

extension ReplicationRuleReconciler {
    /// The kinds among `kinds` that `datacenter`'s API discovery says it does not serve, as
    /// `group/version Kind (resource)`, asked when its caches of them do not sync (the member's list
    /// answers 404 for a kind whose CustomResourceDefinition exists only at the source). Empty when
    /// it serves them all, or when it cannot be asked: then the member is unreachable.
    func unservedKinds(in datacenter: String, kinds: [ReplicaKindKey: ResolvedKind]) async -> [String] {
        guard let client = await memberClient(datacenter) else { return [] }
        var missing: [String] = []
        for (id, kind) in kinds.sorted(by: { ($0.key.apiVersion, $0.key.kind) < ($1.key.apiVersion, $1.key.kind) }) {
            do {
                _ = try await self.kinds.resolve(apiVersion: id.apiVersion, kind: id.kind, in: datacenter, client: client)
            } catch is UnknownKindError {
                missing.append("\(id.apiVersion) \(id.kind) (\(kind.resource.resource))")
            } catch {
                return []
            }
        }
        return missing
    }

    /// Files target `datacenter`, whose caches did not sync, under `read.unserved` when it lacks some
    /// of the rule's kinds, else under `read.unreachable`.
    func notRead(_ datacenter: String, into read: inout ReplicationRead) async {
        let missing = await unservedKinds(in: datacenter, kinds: read.kinds)
        if missing.isEmpty { read.unreachable.append(datacenter) } else { read.unserved[datacenter] = missing }
    }
}
