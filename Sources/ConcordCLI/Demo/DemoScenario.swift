import FederationAPI
import Foundation
import KubeClient
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// The demo's script: each step acts, waits for what it should cause, and says where the time it
/// reports was measured. A step is one entry of ``steps``: a new one is
/// one more entry and one more function.
struct DemoScenario: Service {
    /// One step: its name in the table, what it does (narrated), and its body.
    struct Step: Sendable {
        var name: String
        var narration: String
        var run: @Sendable (DemoRun) async throws -> Outcome
    }

    /// What a step measured: where, and the time when it is not the step's own duration (a
    /// promotion is timed from the kill that caused it).
    struct Outcome: Sendable {
        var measured: String
        var seconds: Double? = nil
    }

    static let steps: [Step] = [
        Step(name: "register", narration: "Starting a hub and three member control planes; the controller registers them and elects a primary.") { try await $0.register() },
        Step(name: "replicate", narration: "A ConfigMap in the primary, a ReplicationRule at the hub: the replica appears in every other member.") { try await $0.replicate() },
        Step(name: "protect service", narration: "A Deployment and Service web in the primary, an ActivePassive ServiceFailover at the hub: warm standbys at 0 replicas and a global Service in every member.") { try await $0.protectService() },
        Step(name: "backup", narration: "concord backup: the hub's federation objects and what Concord manages in each member.") { try await $0.backup() },
        Step(name: "kill primary", narration: "kill -9 of the primary's control plane, which is also web's active datacenter; the hub's probes notice.") { try await $0.killPrimary() },
        Step(name: "service failover", narration: "The ServiceFailover scales the first fitting standby up, then switches the global endpoints to it (unhealthyForSeconds 5).") { try await $0.serviceFailover() },
        Step(name: "promotion", narration: "The FederationPolicy waits promotion.unreachableForSeconds, then promotes a successor and raises the epoch.") { try await $0.promotion() },
        Step(name: "restore", narration: "concord restore: the lost datacenter rebuilt from the backup onto a new control plane, re-federated as Secondary.") { try await $0.restore() },
        Step(name: "failback", narration: "concord datacenter promote: the restored datacenter becomes primary again, at a new epoch.") { try await $0.failback() },
    ]

    let directory: URL
    let executable: String
    let output: ProgressOutput
    let results: DemoResults

    func run() async throws {
        let run = DemoRun(directory: directory, executable: executable, output: output)
        let clock = ContinuousClock()
        for (i, step) in Self.steps.enumerated() {
            output.line("\n[\(i + 1)/\(Self.steps.count)] \(step.name): \(step.narration)")
            let start = clock.now
            do {
                let outcome = try await step.run(run)
                // Steps print through `print` too (restore, promote): flush so the narration stays in order.
                fflush(nil)
                let seconds = outcome.seconds ?? DemoRun.seconds(clock.now - start)
                results.record(.init(step: step.name, seconds: seconds, measured: outcome.measured))
                output.line("    \(String(format: "%.1f", seconds)) s: \(outcome.measured)")
            } catch {
                results.record(.init(step: step.name, seconds: nil, measured: "\(error)"))
                await run.shutdown()
                throw error
            }
        }
        await run.shutdown()
    }
}
