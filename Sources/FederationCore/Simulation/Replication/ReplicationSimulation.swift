import FederationAPI
import Foundation

/// ReplicationRules under the simulation's seeded faults: the real planners
/// (``planReplication(rule:source:sourceRegion:epoch:sources:targets:now:sourceWrittenAt:hash:)`` and
/// ``planMeshReplication(rule:epoch:members:now:writtenAt:hash:writerClock:)``) run every step against
/// simulated member stores through the simulated network, while people write at the members.
///
/// A schedule draws, from its seed, a topology (HubAndSpoke with SourceWins from a named source, or
/// Mesh with LastWriterWins), member regions, member clock errors, a rule residency (sometimes),
/// and faults: member crashes, hub–member partitions, the hub cut from a majority, message delay and
/// loss, and member clock steps. People write until the heal: at the source (HubAndSpoke) or at any
/// running member (Mesh), creating, changing and deleting objects, some labelled
/// `federation.concord.dev/residency: eu`; in HubAndSpoke they sometimes edit a replica in a target.
/// Every object's content names the write it holds, and every write the copy it was made on, so
/// the checks know which write saw which.
public enum ReplicationSimulation {
    /// Steps after the heal within which every member must hold its final copy.
    public static let settleBound = 10

    /// Runs one schedule with `rules` (the real planners by default); stops at the first violation.
    public static func run(seed: UInt64, config: SimulationConfig, rules: ReplicationSimulationRules = .standard) -> ReplicationScheduleResult {
        var schedule = ReplicationSchedule(seed: seed, config: config, rules: rules)
        return schedule.run()
    }
}

/// The properties a replication schedule checks.
public enum ReplicationInvariant: String, CaseIterable, Hashable, Sendable {
    /// No replica write lands in a member whose region the rule's residency or the object's
    /// residency label excludes, not even for a moment (checked at every applied write).
    case noWriteOutsideResidency = "no-write-outside-residency"
    /// A replica write that replaces a copy holding a write it never saw happens only in a pass that
    /// reports that copy as a conflict: in HubAndSpoke any copy, in Mesh a copy changed in its member
    /// and not yet copied (Mesh orders writes already copied by their HLC readings alone).
    case noSilentOverwrite = "no-silent-overwrite"
    /// LastWriterWins never replaces a copy by a write that copy was made on top of: a change made
    /// after a member received a write is the later one, whatever the clocks say.
    case laterWriteWins = "later-write-wins"
    /// From ``ReplicationSimulation/settleBound`` steps after the heal: HubAndSpoke, every allowed
    /// target holds the source's write of each object (none when the source deleted it); Mesh, every
    /// allowed member holds the same write with the same HLC stamp; no member outside residency holds one.
    case convergeAfterHeal = "converge-after-heal"
}

/// A broken invariant.
public struct ReplicationViolation: Hashable, Sendable {
    /// Which invariant.
    public var invariant: ReplicationInvariant
    /// The step it broke at.
    public var step: Int
    /// What was observed.
    public var detail: String
}

/// The planners a replication schedule runs: the real ones, or broken ones.
public struct ReplicationSimulationRules: Sendable {
    /// Plans a HubAndSpoke pass: rule, source, source region, epoch, selected source objects, targets, now.
    public var hub: @Sendable (ReplicationRule, String, String?, Int64, [ReplicaKey: JSONValue], [ReplicationTargetView], Date) -> ReplicationPlan
    /// Plans a Mesh pass: rule, epoch, members, now, when each member's copies were written, the
    /// latest reading the previous pass saw.
    public var mesh: @Sendable (ReplicationRule, Int64, [ReplicationTargetView], Date, [String: [ReplicaKey: Date]], HLCTimestamp?) -> ReplicationPlan

    /// Creates rules; the defaults are the real planners.
    public init(
        hub: @escaping @Sendable (ReplicationRule, String, String?, Int64, [ReplicaKey: JSONValue], [ReplicationTargetView], Date) -> ReplicationPlan = {
            planReplication(rule: $0, source: $1, sourceRegion: $2, epoch: $3, sources: $4, targets: $5, now: $6)
        },
        mesh: @escaping @Sendable (ReplicationRule, Int64, [ReplicationTargetView], Date, [String: [ReplicaKey: Date]], HLCTimestamp?) -> ReplicationPlan = {
            planMeshReplication(rule: $0, epoch: $1, members: $2, now: $3, writtenAt: $4, seen: $5)
        }
    ) {
        self.hub = hub
        self.mesh = mesh
    }

    /// The real planners.
    public static let standard = ReplicationSimulationRules()
}

/// Deliberately broken replication planners, to show the replication invariants catch them
/// (`concord simulate --inject-replication-bug NAME`, and the simulation tests).
public enum ReplicationBug: String, CaseIterable, Hashable, Sendable {
    /// Both planners drop every deletion of a replica whose source object is gone.
    case dropDelete = "drop-delete"
    /// Both planners are given the rule without its residency and objects without their residency label.
    case ignoreResidency = "ignore-residency"
    /// The Mesh planner orders a member's write by that member's wall clock alone, not after the
    /// reading of the copy it changed.
    case compareWallClocks = "compare-wall-clocks"

    /// The invariant that catches the bug first.
    public var caughtAs: ReplicationInvariant {
        switch self {
        case .dropDelete: .convergeAfterHeal
        case .ignoreResidency: .noWriteOutsideResidency
        case .compareWallClocks: .laterWriteWins
        }
    }

    /// The broken planners.
    public var rules: ReplicationSimulationRules {
        switch self {
        case .dropDelete:
            ReplicationSimulationRules(
                hub: { Self.droppingDeletes(planReplication(rule: $0, source: $1, sourceRegion: $2, epoch: $3, sources: $4, targets: $5, now: $6)) },
                mesh: { Self.droppingDeletes(planMeshReplication(rule: $0, epoch: $1, members: $2, now: $3, writtenAt: $4, seen: $5)) })
        case .ignoreResidency:
            ReplicationSimulationRules(
                hub: { rule, source, _, epoch, sources, targets, now in
                    planReplication(
                        rule: Self.withoutResidency(rule), source: source, epoch: epoch, sources: sources.mapValues(Self.unlabelled),
                        targets: targets.map(Self.unlabelled), now: now)
                },
                mesh: {
                    planMeshReplication(rule: Self.withoutResidency($0), epoch: $1, members: $2.map(Self.unlabelled), now: $3, writtenAt: $4, seen: $5)
                })
        case .compareWallClocks:
            ReplicationSimulationRules(mesh: {
                planMeshReplication(rule: $0, epoch: $1, members: $2, now: $3, writtenAt: $4, seen: $5, writerClock: { _, at, datacenter in
                    HLCTimestamp(wallMilliseconds: Int64((at.timeIntervalSince1970 * 1000).rounded()), counter: 0, datacenter: datacenter)
                })
            })
        }
    }

    static func droppingDeletes(_ plan: ReplicationPlan) -> ReplicationPlan {
        var plan = plan
        for i in plan.targets.indices { plan.targets[i].effects.removeAll { if case .delete = $0 { true } else { false } } }
        return plan
    }

    static func withoutResidency(_ rule: ReplicationRule) -> ReplicationRule {
        var rule = rule
        rule.spec.residency = nil
        return rule
    }

    static func unlabelled(_ object: JSONValue) -> JSONValue {
        var object = object
        object["metadata"]?["labels"]?[FederationLabel.residency] = nil
        return object
    }

    static func unlabelled(_ view: ReplicationTargetView) -> ReplicationTargetView {
        ReplicationTargetView(datacenter: view.datacenter, region: view.region, objects: view.objects.mapValues(unlabelled))
    }
}
