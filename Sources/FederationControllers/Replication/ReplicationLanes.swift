import ControllerRuntime
import Foundation
import KubeClient
import ServiceLifecycle
import Synchronization

/// One lane per rule and target. A pass hands each target's writes to its lane and waits for them
/// only up to a budget: a frozen or slow member then holds back its own replicas and no other
/// target's. A lane runs one job at a time; while it is busy, passes leave that target alone, and
/// when the job ends its rule is woken so the next pass takes the outcome and plans the target again.
///
/// The jobs are child tasks of ``run()``, a service of the controller process.
final class ReplicationLanes: Service, Sendable {
    /// A lane: one rule's writes into one datacenter.
    struct Key: Hashable, Sendable {
        var rule: ObjectKey
        var datacenter: String
    }

    private struct Job: Sendable {
        let key: Key
        let ticket: LaneTicket
        let work: @Sendable () async -> TargetOutcome
    }

    private let lanes = Mutex<[Key: LaneTicket]>([:])
    private let jobs: AsyncStream<Job>
    private let submit: AsyncStream<Job>.Continuation
    private let wake = Mutex<(@Sendable (ObjectKey) async -> Void)?>(nil)

    init() {
        (jobs, submit) = AsyncStream.makeStream(of: Job.self)
    }

    /// Sets what a finished job calls with its rule's key (the controller's queue).
    func onFinish(_ wake: @escaping @Sendable (ObjectKey) async -> Void) { self.wake.withLock { $0 = wake } }

    /// Runs the jobs until graceful shutdown; running jobs end by their own write timeouts.
    func run() async throws {
        await withDiscardingTaskGroup { group in
            for await job in jobs.cancelOnGracefulShutdown() {
                group.addTask { [self] in
                    let outcome = await job.work()
                    if job.ticket.finish(outcome), let wake = wake.withLock({ $0 }) { await wake(job.key.rule) }
                }
            }
        }
    }

    /// The lane's state: busy with a job, holding the finished job's outcome (handed over once), or idle.
    enum State: Sendable {
        case idle
        case busy
        case finished(TargetOutcome)
    }

    /// Takes `key`'s state; a finished outcome is handed over once and the lane becomes idle.
    func take(_ key: Key) -> State {
        lanes.withLock { lanes in
            guard let ticket = lanes[key] else { return .idle }
            guard let outcome = ticket.outcome else { return .busy }
            lanes[key] = nil
            return .finished(outcome)
        }
    }

    /// Starts `work` in `key`'s lane (which must be idle) and returns its ticket.
    func start(_ key: Key, _ work: @escaping @Sendable () async -> TargetOutcome) -> LaneTicket {
        let ticket = LaneTicket()
        lanes.withLock { $0[key] = ticket }
        submit.yield(Job(key: key, ticket: ticket, work: work))
        return ticket
    }

    /// Forgets `rule`'s lanes (the rule is gone); their running jobs still end by themselves.
    func forget(_ rule: ObjectKey) { lanes.withLock { $0 = $0.filter { $0.key.rule != rule } } }
}

/// The completion of one lane job, awaitable with a deadline. A pass that stops waiting abandons
/// the ticket; the job then wakes the rule when it ends. Both happen under one lock, so a job that
/// ends just as its pass gives up is either seen by the pass or wakes the rule, never neither.
final class LaneTicket: Sendable {
    private struct State {
        var outcome: TargetOutcome?
        var abandoned = false
        var waiters: [UUID: CheckedContinuation<TargetOutcome?, Never>] = [:]
    }

    private let state = Mutex(State())

    /// The outcome, once the job has finished.
    var outcome: TargetOutcome? { state.withLock { $0.outcome } }

    /// Records the outcome and resumes every waiter; true when the pass had stopped waiting.
    func finish(_ outcome: TargetOutcome) -> Bool {
        let (waiters, abandoned) = state.withLock { state in
            state.outcome = outcome
            defer { state.waiters = [:] }
            return (state.waiters, state.abandoned)
        }
        for waiter in waiters.values { waiter.resume(returning: outcome) }
        return abandoned
    }

    /// Stops waiting: the outcome if the job has finished after all, else nil (the job wakes the rule).
    func abandon() -> TargetOutcome? {
        state.withLock { state in
            if let outcome = state.outcome { return outcome }
            state.abandoned = true
            return nil
        }
    }

    /// The outcome, or nil when the waiting task is cancelled first.
    func value() async -> TargetOutcome? {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: TargetOutcome?? = state.withLock { state in
                    if let outcome = state.outcome { return .some(outcome) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }

    /// The outcome if the job finishes within `budget` on `clock`; otherwise the ticket is
    /// abandoned and nil returned.
    func value(within budget: Duration, clock: RuntimeClock) async -> TargetOutcome? {
        let waited = await withTaskGroup(of: TargetOutcome?.self) { group in
            group.addTask { await self.value() }
            group.addTask {
                try? await clock.sleep(for: budget)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return waited ?? abandon()
    }
}
