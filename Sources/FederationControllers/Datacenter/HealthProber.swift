import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging
import ServiceLifecycle
import Synchronization

/// What one datacenter's probe loop needs: its timing and a way to probe it.
struct ProbeTarget: Sendable {
    /// Identifies the configuration; a loop whose target changed stops and a new one starts.
    var revision: String
    /// `spec.effectiveHealthCheck`.
    var healthCheck: EffectiveHealthCheck
    /// Probes the member once, within `timeout`.
    var probe: @Sendable (_ timeout: Duration) async -> ProbeResult
}

/// Probes every registered datacenter on its own schedule, each in its own child task, so one
/// slow or dead member never delays the others. Each finished probe is recorded in the
/// `ProbeLedger` and `onProbe` wakes the reconciler for that datacenter.
///
/// Probes start every `periodSeconds` (measured from the previous start); a probe that takes
/// longer than the period is followed at once by the next. Each probe is bounded by `timeoutSeconds`.
final class HealthProber: Service, Sendable {
    private enum Command: Sendable {
        case start(name: String, generation: Int)
    }

    private struct State {
        var targets: [String: (target: ProbeTarget, generation: Int)] = [:]
        var nextGeneration = 0
    }

    private let state = Mutex(State())
    private let commands: AsyncStream<Command>
    private let continuation: AsyncStream<Command>.Continuation
    private let ledger: ProbeLedger
    private let clock: RuntimeClock
    private let now: @Sendable () -> Date
    private let onProbe: @Sendable (String) async -> Void
    private let logger: Logger

    /// Creates a prober; `clock` paces the probes, `now` stamps them.
    init(
        ledger: ProbeLedger, clock: RuntimeClock, now: @escaping @Sendable () -> Date,
        logger: Logger, onProbe: @escaping @Sendable (String) async -> Void
    ) {
        (commands, continuation) = AsyncStream.makeStream(of: Command.self)
        self.ledger = ledger
        self.clock = clock
        self.now = now
        self.onProbe = onProbe
        self.logger = logger
    }

    /// Probes `name` with `target` from now on; a no-op when the same revision is already running.
    func ensure(_ name: String, _ target: ProbeTarget) {
        let generation: Int? = state.withLock { s in
            if let running = s.targets[name], running.target.revision == target.revision { return nil }
            s.nextGeneration += 1
            s.targets[name] = (target, s.nextGeneration)
            return s.nextGeneration
        }
        if let generation { continuation.yield(.start(name: name, generation: generation)) }
    }

    /// Stops probing `name`.
    func stop(_ name: String) {
        _ = state.withLock { $0.targets.removeValue(forKey: name) }
    }

    /// True while `name` has a probe loop.
    func isProbing(_ name: String) -> Bool { state.withLock { $0.targets[name] != nil } }

    /// Runs the probe loops until cancelled or gracefully shut down.
    func run() async throws {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await command in commands {
                    switch command {
                    case .start(let name, let generation):
                        group.addTask { await self.loop(name, generation) }
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.continuation.finish()
        }
    }

    private func current(_ name: String, _ generation: Int) -> ProbeTarget? {
        state.withLock { s in
            guard let t = s.targets[name], t.generation == generation else { return nil }
            return t.target
        }
    }

    private func loop(_ name: String, _ generation: Int) async {
        logger.debug("Started probing datacenter", metadata: ["datacenter": "\(name)"])
        while !Task.isCancelled, let target = current(name, generation) {
            let started = clock.now
            let period = Duration.seconds(max(1, target.healthCheck.periodSeconds))
            let timeout = Duration.seconds(max(1, target.healthCheck.timeoutSeconds))
            let result = await target.probe(timeout)
            // A loop replaced while its probe was in flight must not record a stale result.
            guard !Task.isCancelled, current(name, generation) != nil else { break }
            await ledger.record(name, result, at: now())
            await onProbe(name)
            do {
                try await clock.sleep(until: started + period)
            } catch {
                break
            }
        }
        logger.debug("Stopped probing datacenter", metadata: ["datacenter": "\(name)"])
    }
}
