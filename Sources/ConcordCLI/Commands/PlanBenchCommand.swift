import ArgumentParser
import FederationAPI
import FederationCore
import Foundation

/// `concord plan-bench`: times the pure replication planner on generated objects (the same pass as
/// `replication-plan-bench`; hidden from help).
struct PlanBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan-bench",
        abstract: "Time replication planning: OBJECTS source objects into TARGETS targets, every replica in sync, then passes fed what changed.",
        shouldDisplay: false)

    @Option(help: "Source objects.") var objects = 100_000
    @Option(help: "Target datacenters.") var targets = 10
    @Option(help: "Timed runs (the best and the median are printed).") var runs = 5
    @Option(help: "Source objects written before each timed pass fed the changes.") var written = 1_000

    func validate() throws {
        if objects < 1 || targets < 1 || runs < 1 || written < 1 { throw ValidationError("--objects, --targets, --runs and --written must be at least 1") }
    }

    func run() throws {
        do {
            let bench = ReplicationPlanBenchmark(objects: objects, targets: targets)
            for line in try bench.report(runs: runs) + bench.reportFed(runs: runs, written: written) { print(line) }
        } catch let error as PlannerWroteError {
            throw ValidationError(error.description)
        } catch let error as UnexpectedFedPlan {
            throw ValidationError(error.description)
        }
    }
}
