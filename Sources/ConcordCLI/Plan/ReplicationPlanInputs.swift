import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient

/// What the ReplicationRule controller reads for a pass over each rule, read once: the rules at
/// the hub, and from each member the objects of the kinds the rules name, in their namespaces
/// (cluster-wide for a cluster-scoped kind of a rule in `concord-system`), or why the controller
/// would not replicate them when it reads the kinds through that member's discovery.
struct ReplicationPlanInputs {
    /// A member's objects of one rule's kinds, by key; absent when the member could not be read.
    typealias Objects = [ReplicaKey: JSONValue]

    var rules: [ReplicationRule]
    /// Objects by rule (`namespace/name`) and datacenter.
    var objects: [String: [String: Objects]]
    /// Members that could not be read, and why.
    var unreadable: [String: String]
    /// By rule and datacenter: why the controller would plan nothing when it resolves the rule's kinds
    /// through that datacenter's discovery (UnknownKind, ClusterScopedKind, discovery unreadable).
    var blockers: [String: [String: ReplicationBlocker]] = [:]

    /// Reads the rules and every reachable member's objects of their kinds (each member once per rule).
    static func read(from hub: KubeClient, datacenters: [Datacenter]) async throws -> ReplicationPlanInputs {
        let rules = try await hub.resource(ReplicationRule.self).list().items.sorted { $0.ruleAnnotationValue < $1.ruleAnnotationValue }
        var inputs = ReplicationPlanInputs(rules: rules, objects: [:], unreadable: [:])
        let kinds = ReplicatedKinds()
        for dc in datacenters where dc.status?.phase != .unreachable {
            let name = dc.metadata.name ?? ""
            do {
                let read = try await MemberCredentials.with(dc, hub: hub, timeout: .seconds(5)) { member in
                    try await Self.read(rules, from: member, datacenter: name, kinds: kinds)
                }
                if let read { inputs.record(read, of: name) }
            } catch {
                inputs.unreadable[name] = "\(error)"
            }
        }
        return inputs
    }

    /// One member's objects of each rule's kinds, or why the controller would not replicate them, by rule.
    static func read(_ rules: [ReplicationRule], from member: KubeClient, datacenter: String, kinds: ReplicatedKinds) async throws -> [String: Result<Objects, ReplicationBlocker>] {
        var byRule: [String: Result<Objects, ReplicationBlocker>] = [:]
        for rule in rules { byRule[rule.ruleAnnotationValue] = try await objects(of: rule, in: member, datacenter: datacenter, kinds: kinds) }
        return byRule
    }

    /// Records what ``read(_:from:datacenter:kinds:)`` read from `datacenter`.
    mutating func record(_ read: [String: Result<Objects, ReplicationBlocker>], of datacenter: String) {
        for (rule, result) in read {
            switch result {
            case .success(let found): objects[rule, default: [:]][datacenter] = found
            case .failure(let blocker): blockers[rule, default: [:]][datacenter] = blocker
            }
        }
    }

    /// Every object of the rule's kinds where the controller reads them (``ResolvedKind/scope(_:)``),
    /// or why the controller would not replicate them, its kinds resolved through this member's discovery.
    private static func objects(
        of rule: ReplicationRule, in member: KubeClient, datacenter: String, kinds: ReplicatedKinds
    ) async throws -> Result<Objects, ReplicationBlocker> {
        let resolved: [ReplicaKindKey: ResolvedKind]
        switch await kinds.resolve(rule, in: datacenter, client: member) {
        case .failure(let blocker): return .failure(blocker)
        case .success(let found): resolved = found
        }
        var objects: Objects = [:]
        for (id, kind) in resolved {
            let scope = kind.scope(rule.metadata.namespace ?? "")
            for object in try await member.dynamic(kind.resource, namespaced: kind.namespaced, kind: kind.kind).listAll(namespace: scope).items {
                objects[ReplicaKey(apiVersion: id.apiVersion, kind: id.kind, name: ReplicaContent.name(of: object))] = object
            }
        }
        return .success(objects)
    }

    /// The plan of every rule, given the primary and epoch each policy would hold after its own plan
    /// (`policies`) and the datacenters the assumptions make unreachable. `mesh`: the policy in force
    /// when its topology is Mesh (``FederationCore/MeshReplication/policy(among:)``); every rule is
    /// then planned as the controller plans a Mesh pass.
    func plan(datacenters: [Datacenter], policies: [PolicyPlanReport], unreachable: Set<String>, now: Date, mesh: FederationPolicy? = nil) -> [ReplicationPlanReport] {
        rules.map { rule in
            let id = rule.ruleAnnotationValue
            if let blocker = ReplicationMembers.selectorBlocker(of: rule) {
                return ReplicationPlanReport(rule: id, source: mesh == nil ? nil : MeshReplication.source, epoch: 0, blocker: blocker)
            }
            if let mesh { return planMesh(rule, policy: mesh, datacenters: datacenters, policies: policies, unreachable: unreachable, now: now) }
            let (source, epoch): (String?, Int64) = switch rule.spec.effectiveSource {
            case .datacenter(let name): (name, (policies.first { $0.plannedPrimary == name } ?? policies.first)?.plannedEpoch ?? 0)
            case .primary: policies.first { $0.plannedPrimary != nil }.map { ($0.plannedPrimary, $0.plannedEpoch) } ?? (nil, 0)
            }
            guard let source else { return ReplicationPlanReport(rule: id, source: nil, epoch: 0, waiting: "no FederationPolicy names a primary") }
            // The controller's order: the targets, the source's health, then the kinds through its discovery.
            let sourceDC = datacenters.first { $0.metadata.name == source }
            let targets = ReplicationMembers.members(of: rule, except: source, among: datacenters)
            // Residency allowing no target still lets the controller's pass delete the replicas outside it;
            // a pass that stops early reports it instead of the passing reason, as the controller does.
            let membersBlocker = sourceDC == nil ? nil : ReplicationMembers.blocker(of: rule, source: source, targets: targets)
            if let blocker = membersBlocker, blocker.reason != ReplicationRule.Reason.noAllowedTargets {
                return ReplicationPlanReport(rule: id, source: source, epoch: epoch, blocker: blocker)
            }
            func stop(_ report: ReplicationPlanReport) -> ReplicationPlanReport {
                membersBlocker.map { ReplicationPlanReport(rule: id, source: source, epoch: epoch, blocker: $0) } ?? report
            }
            guard let sourceDC, !unreachable.contains(source), sourceDC.status?.phase != .unreachable else {
                return stop(ReplicationPlanReport(rule: id, source: source, epoch: epoch, waiting: "the source \(source) is Unreachable or missing"))
            }
            if let blocker = blockers[id]?[source] { return stop(ReplicationPlanReport(rule: id, source: source, epoch: epoch, blocker: blocker)) }
            guard let sourceObjects = objects[id]?[source] else {
                return stop(ReplicationPlanReport(
                    rule: id, source: source, epoch: epoch, waiting: "the source \(source) could not be read: \(unreadable[source] ?? "no credentials")"))
            }
            let selected = sourceObjects.filter { key, object in rule.selects(key, object) }
            let (views, skipped) = views(of: rule, members: targets, unreachable: unreachable)
            let plan = planReplication(rule: rule, source: source, sourceRegion: sourceDC.spec.region, epoch: epoch, sources: selected, targets: views, now: now,
                liveRules: Set(rules.map(\.ruleAnnotationValue)))
            var report = ReplicationPlanReport(rule: id, plan: plan, unreachable: skipped)
            if let blocker = membersBlocker { report.stall(blocker) }
            return report
        }
    }

    /// `members` (``FederationCore/ReplicationMembers/members(of:except:among:)``) as the controller
    /// reads them: each read one's objects, and the names of those unreachable (or assumed so) or
    /// unread, which are not planned.
    private func views(of rule: ReplicationRule, members: [Datacenter], unreachable: Set<String>) -> (views: [ReplicationTargetView], skipped: [String]) {
        let id = rule.ruleAnnotationValue
        var views: [ReplicationTargetView] = [], skipped: [String] = []
        for dc in members {
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
            return ReplicationPlanReport(rule: id, source: MeshReplication.source, epoch: epoch, blocker: refusal)
        }
        let members = ReplicationMembers.members(of: rule, except: nil, among: datacenters)
        if let blocker = ReplicationMembers.meshBlocker(of: rule, members: members) {
            return ReplicationPlanReport(rule: id, source: MeshReplication.source, epoch: epoch, blocker: blocker)
        }
        // The kinds are resolved through the first reachable member in the controller's order that was read.
        let reachable = members.filter { $0.status?.phase != .unreachable && !unreachable.contains($0.metadata.name ?? "") }.compactMap(\.metadata.name)
        let primary = policies.first { $0.policy == policy.metadata.name }?.plannedPrimary ?? policy.status?.primary
        let discovery = ReplicationMembers.discoveryOrder(reachable, primary: primary).first { objects[id]?[$0] != nil || blockers[id]?[$0] != nil }
        if let discovery, let blocker = blockers[id]?[discovery] {
            return ReplicationPlanReport(rule: id, source: MeshReplication.source, epoch: epoch, blocker: blocker)
        }
        let (views, skipped) = views(of: rule, members: members, unreachable: unreachable)
        let writtenAt = Dictionary(uniqueKeysWithValues: views.map { ($0.datacenter, $0.objects.compactMapValues(ReplicaContent.writtenAt(of:))) })
        let plan = planMeshReplication(rule: rule, epoch: epoch, members: views, now: now, writtenAt: writtenAt, seen: MeshReplication.seen(by: rule))
        return ReplicationPlanReport(rule: id, plan: plan, unreachable: skipped)
    }
}
