import FederationAPI
import Foundation

/// Plans one Mesh replication pass of `rule` (FederationPolicy `topology: Mesh`): every member in
/// `members` is a source and a target of the rule's objects.
///
/// Per object, every member's copy is a version with an HLC reading:
/// - a copy Concord wrote or adopted and nobody changed since (its content hash matches its
///   `content-hash` stamp) carries its `hlc` stamp;
/// - a copy changed in its member since (or written there and never stamped) is that member's own
///   write, and gets the writer's reading: the HLC tick after the reading it was changed from, at
///   the member's write time (`writtenAt`, the member's own clock; `now` when unknown). A change made
///   after a member received a copy is therefore always later than that copy, whatever the clocks say.
///
/// The latest version by HLC (ties by datacenter name) is the object everywhere: a change is first
/// stamped where it was made (`adopt`, alone in its pass), then every other allowed member gets its
/// content stamped with the same reading (`source-datacenter` names the writer). A changed copy that loses is a conflict — the same object
/// changed in two members: `LastWriterWins` overwrites it (`Restored`); `TargetWins` leaves it as its
/// member changed it (`KeptTarget`) and writes the winner elsewhere; `Manual` writes nothing for the
/// object until one copy carries `resolution: KeepTarget`, which then wins. `SourceWins` has no
/// source to follow: ``MeshReplication/refusal(of:policy:)`` refuses it before planning.
///
/// A new object (no stamp of this rule) where no member holds a copy the rule stamped has no copy it
/// was changed from: its reading is the tick after `seen`, the latest reading an earlier pass saw (the
/// controller keeps it in `status.sourceRevision`), so an object created again after a deletion is
/// later than every copy of the deleted one still held by a member that was away. The plan's `clock` is the latest of `seen` and every reading found.
///
/// An object missing in the member that wrote the version in force (its `source-datacenter`) was
/// deleted there: under `Propagate` every copy of the rule is deleted, under `Orphan` the others
/// stay and nothing is re-created; a later change elsewhere wins over the deletion (listed as a
/// conflict of that member). An object missing in any other member is created there. Residency is
/// judged per member as in HubAndSpoke: nothing lands outside the allowed regions, and a copy of the
/// rule found outside is deleted first.
public func planMeshReplication(
    rule: ReplicationRule, epoch: Int64, members: [ReplicationTargetView], now: Date, writtenAt: [String: [ReplicaKey: Date]] = [:],
    seen: HLCTimestamp? = nil, hash: @escaping (JSONValue) -> String = ReplicaContent.hash(of:),
    writerClock: @escaping MeshWriterClock = { MeshReplication.writerClock(previous: $0, at: $1, datacenter: $2) }
) -> ReplicationPlan {
    var planner = MeshPlanner(rule: rule, epoch: epoch, now: now, writtenAt: writtenAt, hash: hash, writerClock: writerClock)
    planner.clock = seen
    planner.seen = seen
    let sorted = members.sorted { $0.datacenter < $1.datacenter }
    var keys = Set<ReplicaKey>()
    for member in sorted where planner.regionAllowed(member) {
        for (key, object) in member.objects where planner.owned(key, object) { keys.insert(key) }
    }
    var plans = sorted.map { MeshTargetPlan(regionAllowed: planner.regionAllowed($0)) }
    for key in keys.sorted() { planner.plan(key, members: sorted, into: &plans) }
    let targets = zip(sorted, plans).map { member, plan in
        // Residency evictions first, then the conflicts and writes, then the deletions.
        TargetPlan(
            datacenter: member.datacenter, regionAllowed: plan.regionAllowed, allowedObjects: plan.allowed, inSync: plan.inSync,
            effects: plan.first + plan.writes + plan.deletes)
    }
    return ReplicationPlan(source: MeshReplication.source, epoch: epoch, objects: keys.count, targets: targets, clock: planner.clock)
}

/// Gives a member's own write its HLC reading from the reading of the copy it changed (nil: a new
/// object), the member's write time and its name; ``MeshReplication/writerClock(previous:at:datacenter:)``
/// unless a simulation injects a broken one.
public typealias MeshWriterClock = @Sendable (_ previous: HLCTimestamp?, _ at: Date, _ datacenter: String) -> HLCTimestamp

/// Mesh settings and checks shared by the controller, `concord plan` and the simulation.
public enum MeshReplication {
    /// What `status.sourceDatacenter` says in Mesh: every member is a source.
    public static let source = "Mesh"

    /// The FederationPolicy whose topology is in force (the first by name), when it says Mesh.
    public static func policy(among policies: [FederationPolicy]) -> FederationPolicy? {
        let first = policies.min { ($0.metadata.name ?? "") < ($1.metadata.name ?? "") }
        return first?.spec.effectiveTopology == .mesh ? first : nil
    }

    /// The latest HLC reading an earlier pass saw, which the controller keeps in `status.sourceRevision`.
    public static func seen(by rule: ReplicationRule) -> HLCTimestamp? {
        guard rule.status?.sourceDatacenter == source else { return nil }
        return rule.status?.sourceRevision.flatMap { HLCTimestamp(annotation: $0) }
    }

    /// Why `rule` cannot run in Mesh, or nil: SourceWins (the default) has no source to follow.
    public static func refusal(of rule: ReplicationRule, policy: String) -> ReplicationBlocker? {
        guard rule.spec.effectiveConflictResolution == .sourceWins else { return nil }
        return ReplicationBlocker(
            reason: ReplicationRule.Reason.sourceWinsInMesh,
            message: "FederationPolicy \(policy) has topology Mesh: every member writes, so there is no source for SourceWins to restore from; set spec.conflictResolution to LastWriterWins (every member converges to the latest write by hybrid logical clock), TargetWins or Manual.",
            terminal: true)
    }

    /// The HLC reading of a member's own write: the tick after `previous` (the reading of the copy it
    /// changed, nil for a new object) at the member's write time `at`, stamped by `datacenter`.
    public static func writerClock(previous: HLCTimestamp?, at: Date, datacenter: String) -> HLCTimestamp {
        HLCTimestamp.tick(after: previous, now: at, at: datacenter)
    }
}

/// One member's plan while it is built.
struct MeshTargetPlan {
    let regionAllowed: Bool
    var allowed = 0, inSync = 0
    /// Residency evictions and blocks; conflicts and writes; deletions.
    var first: [ReplicationEffect] = [], writes: [ReplicationEffect] = [], deletes: [ReplicationEffect] = []

    init(regionAllowed: Bool) { self.regionAllowed = regionAllowed }
}

/// One member's copy of an object, with the version it holds.
struct MeshCopy {
    let member: Int
    let object: JSONValue
    let hash: String
    let stamp: ReplicaStamp
    /// Changed in its member since Concord last stamped it (or never stamped).
    var changed: Bool
    /// The version's HLC reading.
    var clock: HLCTimestamp
}
