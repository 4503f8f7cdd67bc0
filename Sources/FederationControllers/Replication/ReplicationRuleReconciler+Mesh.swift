import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient

extension ReplicationRuleReconciler {
    /// The FederationPolicy whose topology is in force (the first by name), when it says Mesh.
    func meshPolicy() -> FederationPolicy? { MeshReplication.policy(among: policyCache.list()) }

    /// Reads every member the rule covers for a Mesh pass: each is a source and a target. A member
    /// whose caches are not synced, or whose health says Unreachable, is not planned (its copies are
    /// neither read nor written) and is listed as unreachable.
    func readMesh(_ rule: ReplicationRule, policy: FederationPolicy) async -> ReplicationReadResult {
        if let refusal = MeshReplication.refusal(of: rule, policy: policy.metadata.name ?? "") {
            return .blocked(refusal, source: MeshReplication.source)
        }
        if let blocker = ReplicationMembers.selectorBlocker(of: rule) { return .blocked(blocker, source: MeshReplication.source) }
        let members = ReplicationMembers.members(of: rule, except: nil, among: datacenterCache.list())
        func blocked(_ reason: String, _ message: String, terminal: Bool) -> ReplicationReadResult {
            .blocked(ReplicationBlocker(reason: reason, message: message, terminal: terminal), source: MeshReplication.source)
        }
        if let blocker = ReplicationMembers.meshBlocker(of: rule, members: members) { return .blocked(blocker, source: MeshReplication.source) }
        // Kinds are resolved through the primary's discovery when it answers, else the first member that does.
        let reachable = members.compactMap(\.metadata.name).filter { name in datacenterCache.get(name: name)?.status?.phase != .unreachable }
        let order = ReplicationMembers.discoveryOrder(reachable, primary: policy.status?.primary)
        var discovery: (name: String, client: KubeClient)?
        for name in order {
            if let connection = await memberClient(name) {
                discovery = (name, connection)
                break
            }
        }
        guard let discovery else { return blocked(R.sourceUnavailable, "No member of the mesh can be reached yet.", terminal: false) }
        var read = ReplicationRead(source: MeshReplication.source, epoch: policy.status?.epoch ?? 0)
        switch await resolveKinds(rule, in: discovery.name, client: discovery.client) {
        case .failure(let blocker): return .blocked(blocker, source: MeshReplication.source)
        case .success(let kinds): read.kinds = kinds
        }
        let reachableMembers = members.filter { $0.status?.phase != .unreachable }.compactMap(\.metadata.name)
        let held = await meshObjects(reachableMembers, of: rule, kinds: read.kinds)
        for dc in members {
            guard let name = dc.metadata.name else { continue }
            if dc.status?.phase == .unreachable {
                read.unreachable.append(name)
            } else if let objects = held[name] {
                read.targets.append(ReplicationTargetView(datacenter: name, region: dc.spec.region, objects: objects))
                read.memberWrittenAt[name] = objects.compactMapValues(ReplicaContent.writtenAt(of:))
            } else {
                await notRead(name, into: &read)
            }
        }
        return .ready(read)
    }

    /// The client of `datacenter`, if Concord holds a connection to it.
    func memberClient(_ datacenter: String) async -> KubeClient? { await members.existing(datacenter)?.client }
}
