import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient

/// What the ReplicationRule controller reads for a pass over each rule, read once: the rules at
/// the hub, and from each member the objects of the kinds the rules name, in their namespaces.
struct ReplicationPlanInputs {
    /// A member's objects of one rule's kinds, by key; absent when the member could not be read.
    typealias Objects = [ReplicaKey: JSONValue]

    var rules: [ReplicationRule]
    /// Objects by rule (`namespace/name`) and datacenter.
    var objects: [String: [String: Objects]]
    /// Members that could not be read, and why.
    var unreadable: [String: String]

    /// Reads the rules and every reachable member's objects of their kinds (each member once per rule).
    static func read(from hub: KubeClient, datacenters: [Datacenter]) async throws -> ReplicationPlanInputs {
        let rules = try await hub.resource(ReplicationRule.self).list().items.sorted { $0.ruleAnnotationValue < $1.ruleAnnotationValue }
        var inputs = ReplicationPlanInputs(rules: rules, objects: [:], unreadable: [:])
        let kinds = ReplicatedKinds()
        for dc in datacenters where dc.status?.phase != .unreachable {
            let name = dc.metadata.name ?? ""
            do {
                let read = try await MemberCredentials.with(dc, hub: hub, timeout: .seconds(5)) { member in
                    var byRule: [String: Objects] = [:]
                    for rule in rules { byRule[rule.ruleAnnotationValue] = try await objects(of: rule, in: member, datacenter: name, kinds: kinds) }
                    return byRule
                }
                for (rule, objects) in read ?? [:] { inputs.objects[rule, default: [:]][name] = objects }
            } catch {
                inputs.unreadable[name] = "\(error)"
            }
        }
        return inputs
    }

    /// Every object of the rule's kinds in its namespace.
    private static func objects(of rule: ReplicationRule, in member: KubeClient, datacenter: String, kinds: ReplicatedKinds) async throws -> Objects {
        var objects: Objects = [:]
        for entry in rule.spec.resources {
            let kind: ResolvedKind
            do {
                kind = try await kinds.resolve(apiVersion: entry.apiVersion, kind: entry.kind, in: datacenter, client: member)
            } catch is UnknownKindError {
                continue
            }
            guard kind.namespaced else { continue }
            for object in try await member.dynamic(kind.resource, namespaced: true, kind: kind.kind).listAll(namespace: rule.metadata.namespace).items {
                objects[ReplicaKey(apiVersion: entry.apiVersion, kind: entry.kind, name: ReplicaContent.name(of: object))] = object
            }
        }
        return objects
    }

    /// The plan of every rule, given the primary and epoch each policy would hold after its own plan
    /// (`policies`) and the datacenters the assumptions make unreachable. `mesh`: the policy in force
    /// when its topology is Mesh (``FederationCore/MeshReplication/policy(among:)``); every rule is
    /// then planned as the controller plans a Mesh pass.
    func plan(datacenters: [Datacenter], policies: [PolicyPlanReport], unreachable: Set<String>, now: Date, mesh: FederationPolicy? = nil) -> [ReplicationPlanReport] {
        rules.map { rule in
            let id = rule.ruleAnnotationValue
            if let mesh { return planMesh(rule, policy: mesh, datacenters: datacenters, policies: policies, unreachable: unreachable, now: now) }
            let (source, epoch): (String?, Int64) = switch rule.spec.effectiveSource {
            case .datacenter(let name): (name, (policies.first { $0.plannedPrimary == name } ?? policies.first)?.plannedEpoch ?? 0)
            case .primary: policies.first { $0.plannedPrimary != nil }.map { ($0.plannedPrimary, $0.plannedEpoch) } ?? (nil, 0)
            }
            guard let source else { return ReplicationPlanReport(rule: id, source: nil, epoch: 0, waiting: "no FederationPolicy names a primary") }
            let down = { (dc: Datacenter) in unreachable.contains(dc.metadata.name ?? "") || dc.status?.phase == .unreachable }
            guard let sourceDC = datacenters.first(where: { $0.metadata.name == source }), !down(sourceDC) else {
                return ReplicationPlanReport(rule: id, source: source, epoch: epoch, waiting: "the source \(source) is Unreachable or missing")
            }
            guard let sourceObjects = objects[id]?[source] else {
                return ReplicationPlanReport(rule: id, source: source, epoch: epoch, waiting: "the source \(source) could not be read: \(unreadable[source] ?? "no credentials")")
            }
            let selected = sourceObjects.filter { key, object in
                rule.spec.resources.contains { $0.kind == key.kind && $0.apiVersion == key.apiVersion && $0.matches(name: key.name, labels: ReplicaContent.labels(of: object)) }
            }
            let (views, skipped) = members(of: rule, except: source, among: datacenters, unreachable: unreachable)
            let plan = planReplication(rule: rule, source: source, sourceRegion: sourceDC.spec.region, epoch: epoch, sources: selected, targets: views, now: now)
            return ReplicationPlanReport(rule: id, plan: plan, unreachable: skipped)
        }
    }

    /// The members `rule` selects (but `source`), as the controller reads them: each read one's
    /// objects, and the names of those unreachable (or assumed so) or unread, which are not planned.
    private func members(
        of rule: ReplicationRule, except source: String?, among datacenters: [Datacenter], unreachable: Set<String>
    ) -> (views: [ReplicationTargetView], skipped: [String]) {
        let id = rule.ruleAnnotationValue, selector = rule.spec.effectiveTargetSelector
        var views: [ReplicationTargetView] = [], skipped: [String] = []
        for dc in datacenters where dc.metadata.name != source && dc.metadata.deletionTimestamp == nil && selector.matches(dc.metadata.labels) {
            let name = dc.metadata.name ?? ""
            if !unreachable.contains(name), dc.status?.phase != .unreachable, let objects = objects[id]?[name] {
                views.append(ReplicationTargetView(datacenter: name, region: dc.spec.region, objects: objects))
            } else {
                skipped.append(name)
            }
        }
        return (views, skipped)
    }

    /// One rule's Mesh pass (``FederationCore/planMeshReplication``): every member the rule selects is
    /// a source and a target; members unreachable (or assumed so) or unread are not planned.
    private func planMesh(
        _ rule: ReplicationRule, policy: FederationPolicy, datacenters: [Datacenter], policies: [PolicyPlanReport], unreachable: Set<String>, now: Date
    ) -> ReplicationPlanReport {
        let id = rule.ruleAnnotationValue
        let epoch = policies.first { $0.policy == policy.metadata.name }?.plannedEpoch ?? policy.status?.epoch ?? 0
        if let refusal = MeshReplication.refusal(of: rule, policy: policy.metadata.name ?? "") {
            return ReplicationPlanReport(rule: id, source: MeshReplication.source, epoch: epoch, waiting: refusal.message)
        }
        let (views, skipped) = members(of: rule, except: nil, among: datacenters, unreachable: unreachable)
        let writtenAt = Dictionary(uniqueKeysWithValues: views.map { ($0.datacenter, $0.objects.compactMapValues(ReplicaContent.writtenAt(of:))) })
        guard views.count + skipped.count > 1 else {
            return ReplicationPlanReport(rule: id, source: MeshReplication.source, epoch: epoch, waiting: "Mesh needs two members matching spec.targets")
        }
        let plan = planMeshReplication(rule: rule, epoch: epoch, members: views, now: now, writtenAt: writtenAt, seen: MeshReplication.seen(by: rule))
        return ReplicationPlanReport(rule: id, plan: plan, unreachable: skipped)
    }
}
