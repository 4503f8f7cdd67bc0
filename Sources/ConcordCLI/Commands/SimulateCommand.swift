import ArgumentParser
import FederationCore
import Foundation

extension InjectedBug: ExpressibleByArgument {}

/// `concord simulate`: the real federation core (health, the FederationPolicy plans and the
/// ServiceFailover plans the controllers execute) under deterministic, seeded fault schedules,
/// with invariants checked after every step.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the federation core under seeded fault schedules and check its invariants.",
        discussion: """
            Every step the simulated hub probes the members through a simulated network, runs the real health decision, reads the markers of the members its probes reached, asks the core for the same FederationPolicy plan the controller executes, and runs that plan through a simulated executor: the status first, then the marker writes in fencing order, stopping at the first failed write.

            Each schedule draws a federation (promotion mode, quorum, candidates, failback, priorities, cordons) and a fault schedule from its seed: member crashes and restarts, hub–member partitions, the hub cut from a majority, message delay and loss, clock steps, and planned promotions and failback requests by a person. Faults heal for the last 60 steps.

            After every step (and after every marker write) it checks: never two members acting as primary within one epoch; epochs only grow; no promotion without quorum when it is required; no split brain; no moment without a primary unless a fault is active; exactly one primary within 15 steps of the heal.

            Services are on by default (--services 2; --services 0 runs the promotion part alone, with the same schedules). Each schedule also draws that many ActivePassive ServiceFailovers (primary, ordered failover datacenters and replicas, policy, member capacities; cordons are the members') and runs each through the real service planner every step, its Datacenter health taken from the same probes and faults. Their workloads become ready after a rollout delay, lose their pods while the member is down or while a pod failure lasts, and a person asks for failback or changes spec.primary. A simulated executor runs the effects in order and may fail any of them midway (unreachable member, lost or late answer, API error) or stop before the status write; the next pass plans from the persisted status. Service randomness has a stream of its own, so the promotion part of a seed is the same with or without services.

            After every step (and after every applied service effect) it checks: traffic switches only onto ready replicas, is never left on a datacenter Concord scaled to 0, and rests on one a fault emptied only for unhealthyForSeconds plus 5 s to detect, while a move is in flight, a pass failed, or nothing fits; traffic moves only onto a target that fitted (Ready, not cordoned, with room) when the move started; a failover leaves a datacenter only for a fault there since traffic arrived (one transition per incident); automatic failback only after stabilizationSeconds of continuous health, manual only on request; within 35 steps of the heal every service is settled: no move in flight, its active datacenter runs all its replicas and no other site keeps any.

            Replication is on by default (--no-replication turns it off). Each seed also runs a ReplicationRule schedule of its own: HubAndSpoke with SourceWins from a named source, or Mesh with LastWriterWins, over members in eu and us regions with clock errors, sometimes a rule residency, objects some of which are labelled federation.concord.dev/residency: eu, and the same kinds of fault (member clock steps instead of hub ones). People create, change and delete objects (at the source, or at any member in Mesh, sometimes a replica in a target), and every step the hub reads the members it reaches, runs the real replication planner and executes its effects through the simulated network. It checks: no replica write lands outside residency; a copy holding a write the incoming one never saw (in Mesh: a change not yet copied) is replaced only in a pass that reports the conflict; LastWriterWins never replaces a copy by a write it was made on top of; within 10 steps of the heal every allowed member holds the source's write (Mesh: the same write with the same HLC stamp everywhere) and no member outside residency holds one.

            ActiveActive services are on with them (--active-active 1 by default, 0 with --services 0). Each draws a selector over the members, weights (some 0), a total, minDatacenters, sometimes maxReplicasPerDatacenter, and a policy, and runs through the real ActiveActive planner every step, with the room each member has left after the ActivePassive services, the other ActiveActive ones and some load from outside the simulation. A person asks for a rebalance or changes the total or a weight; pods fail; the same executor faults apply, and routing to the placed datacenters may fail too. It checks: a scale-up never sets a datacenter above the room the controller saw (capacity minus the other federated replicas, and maxReplicasPerDatacenter); every status accounts for each replica (placed plus unplaced is spec.replicas); the placement spans minDatacenters whenever that many candidates surely have room; a datacenter is scaled down only once every placed datacenter the controller reaches runs ready what its spec asked (up to its share), and never below what keeps the reachable ones running their shares' total (make-before-break, a step at a time); a datacenter that ran nothing gets a share back only after stabilizationSeconds of continuous health with failback Automatic, unless a person asked, the spec changed, or it is the first placement; within 50 steps of the heal every ActiveActive service is settled: nothing in flight, every share running and ready, nothing outside the placement, discovery routing to exactly the placed datacenters.

            A violation prints the seed, the step trace and the command that replays it, and exits 1.
            """
    )

    @Option(help: "Member datacenters per schedule.")
    var datacenters = 5

    @Option(help: "Number of schedules; seeds 1 through N.")
    var seeds = 100

    @Option(help: "Run only this seed (replay), printing its trace.")
    var seed: UInt64?

    @Option(help: "Simulated seconds per schedule (one step per second).")
    var steps = SimulationConfig().steps

    @Option(help: "ServiceFailovers per schedule (0: promotion and fencing only).")
    var services = SimulationConfig().services

    @Option(name: .customLong("active-active"), help: "ActiveActive ServiceFailovers per schedule (default: 1, or 0 with --services 0).")
    var activeActive: Int?

    @Option(help: "Schedules run in parallel (default: the number of processors).")
    var workers: Int?

    @Option(
        name: .customLong("inject-bug"),
        help: ArgumentHelp(
            "Run a deliberately broken rule or executor to see it caught: \(InjectedBug.allCases.map { "\($0.rawValue) (\($0.brokenPart))" }.joined(separator: ", ")).",
            valueName: "bug"))
    var injectedBug: InjectedBug?

    @Flag(inversion: .prefixedNo, help: "Also run a ReplicationRule schedule per seed.")
    var replication = true

    @Option(
        name: .customLong("inject-replication-bug"),
        help: ArgumentHelp(
            "Run a deliberately broken replication planner to see it caught: \(ReplicationBug.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "bug"))
    var replicationBug: ReplicationBug?

    /// Trace lines printed with a violation.
    static let traceLines = 60

    var config: SimulationConfig { SimulationConfig(datacenters: datacenters, steps: steps, services: services, activeActive: activeActive) }
    var rules: SimulationRules { injectedBug?.rules ?? .standard }

    func validate() throws {
        if let problem = config.problem { throw ValidationError(problem) }
        if seeds < 1 { throw ValidationError("--seeds must be at least 1") }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        if replicationBug != nil, !replication { throw ValidationError("--inject-replication-bug needs replication; drop --no-replication") }
    }

    func run() async throws {
        let clock = ContinuousClock()
        let started = clock.now
        var summary = SimulationSummary()
        var replayed: ScheduleResult?
        let parallel: Int
        if let seed {
            let result = Simulation.run(seed: seed, config: config, rules: rules)
            summary.add(result)
            replayed = result
            parallel = 1
        } else {
            parallel = min(workers ?? ProcessInfo.processInfo.activeProcessorCount, seeds)
            summary = await Self.run((1...UInt64(seeds)).map { $0 }, config: config, rules: rules, workers: parallel)
        }
        let replicated = replication ? await runReplication(workers: parallel) : ReplicationCounts()
        print(report(summary, wall: clock.now - started, workers: parallel))
        if replication { print(replicationReport(replicated)) }
        if let replayed, replayed.violation == nil {
            print("\ntrace of seed \(replayed.seed)\(replayed.trace.dropped > 0 ? " (\(replayed.trace.dropped) earlier lines omitted)" : ""):")
            for line in replayed.trace.lines { print("  \(line)") }
        }
        if let failed = summary.violations.first, let violation = failed.violation {
            print(violationReport(failed, violation))
            throw ExitCode(1)
        }
        if let failed = replicated.violations.first, let violation = failed.violation {
            print(replicationViolationReport(failed, violation))
            throw ExitCode(1)
        }
    }

    /// Runs the seeds on `workers` child tasks (seed i on worker i mod workers) and merges their summaries.
    static func run(_ seeds: [UInt64], config: SimulationConfig, rules: SimulationRules, workers: Int) async -> SimulationSummary {
        await withTaskGroup(of: SimulationSummary.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var summary = SimulationSummary()
                    for index in stride(from: worker, to: seeds.count, by: workers) {
                        summary.add(Simulation.run(seed: seeds[index], config: config, rules: rules))
                    }
                    return summary
                }
            }
            var total = SimulationSummary()
            for await part in group { total.merge(part) }
            return total
        }
    }

    func report(_ s: SimulationSummary, wall: Duration, workers: Int) -> String {
        func counts<K: RawRepresentable & Comparable>(_ d: [K: Int]) -> String where K.RawValue == String {
            d.keys.sorted().map { "\($0.rawValue) \(d[$0] ?? 0)" }.joined(separator: ", ")
        }
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let settle = s.maxSettledAfter.map { "\($0) s" } ?? "n/a"
        return """
            concord simulate\(injectedBug.map { " (with injected bug \($0.rawValue) in the \($0.brokenPart))" } ?? ""): \(datacenters) datacenters, \(steps) steps per schedule, faults heal at t=\(config.healStep)
              fault schedules run:   \(s.schedules)
              steps simulated:       \(s.steps)
              invariant checks:      \(s.checks)
              faults injected:       \(s.totalFaults) (\(counts(s.faults)))
              person actions:        \(s.operations.values.reduce(0, +)) (\(counts(s.operations)))
              promotions:            \(s.promotions) epoch raises
              hub decisions:         \(s.decisions.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
              max time to one primary after heal: \(settle) (bound \(config.convergenceBound) s)
              longest time without a primary during faults: \(s.longestWithoutPrimary) s
            \(serviceReport(s.services))
            \(activeActiveReport(s.services))
              violations:            \(s.violations.count)
              wall time:             \(String(format: "%.2f", seconds)) s on \(workers) \(workers == 1 ? "worker" : "workers")
            """
    }

    /// The service lines of the summary (none when services are off).
    func serviceReport(_ c: ServiceCounts) -> String {
        guard c.services > 0 else { return "  services:              off (--services 0)" }
        let moves = c.transitions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let settle = c.maxSettledAfter.map { "\($0) s" } ?? "n/a"
        return """
              services:              \(c.services) ServiceFailovers (\(services) per schedule), \(c.passes) controller passes
              service transitions:   \(c.totalTransitions) (\(moves)); became Blocked \(c.blocked), rolled back (Degraded) \(c.degraded)
              service disturbances:  pod failures \(c.workloadFailures), failed effects \(c.failedEffects), lost status writes \(c.lostStatusWrites), passes stopped \(c.stoppedPasses)
              service person actions: failback requests \(c.failbackRequests), spec.primary changes \(c.primaryChanges)
              longest service transition: \(String(format: "%.0f", c.longestTransition)) s; longest traffic on a datacenter without ready replicas: \(c.longestWithoutReadyTraffic) s
              max time to settled services after heal: \(settle) (bound \(config.serviceSettleBound) s)
            """
    }

    /// The ActiveActive lines of the summary (one when they are off).
    func activeActiveReport(_ c: ServiceCounts) -> String {
        guard c.activeActive > 0 else { return "  ActiveActive:          off (--active-active 0)" }
        let moves = c.redistributions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        let settle = c.activeActiveSettledAfter.map { "\($0) s" } ?? "n/a"
        return """
              ActiveActive:          \(c.activeActive) ServiceFailovers (\(config.activeActive) per schedule), \(c.activeActivePasses) controller passes
              redistributions:       \(c.redistributions.values.reduce(0, +)) (\(moves)); became Degraded (shortfall) \(c.shortfalls)
              ActiveActive person actions: rebalance requests \(c.rebalanceRequests), total or weight changes \(c.placementChanges)
              max time to settled ActiveActive services after heal: \(settle) (bound \(config.activeActiveSettleBound) s)
            """
    }

    func violationReport(_ result: ScheduleResult, _ violation: Violation) -> String {
        let lines = result.trace.tail(Self.traceLines)
        let omitted = result.trace.lines.count - lines.count + result.trace.dropped
        var out = "\nVIOLATION \(violation.invariant.rawValue) in seed \(result.seed) at t=\(violation.step): \(violation.detail)\n"
        out += "trace (last \(lines.count) lines\(omitted > 0 ? ", \(omitted) earlier omitted" : "")):\n"
        out += lines.map { "  \($0)" }.joined(separator: "\n")
        out += "\nreplay: concord simulate --datacenters \(datacenters) --steps \(steps) --seed \(result.seed)"
        if services != SimulationConfig().services { out += " --services \(services)" }
        if let activeActive { out += " --active-active \(activeActive)" }
        if let injectedBug { out += " --inject-bug \(injectedBug.rawValue)" }
        return out
    }
}
