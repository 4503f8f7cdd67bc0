import Foundation
import KubeClient
import KubernetesAPI
import Logging
import ServiceLifecycle
import Synchronization

/// Observes leadership changes: where metrics (`leader_election_master_status`) and events plug in.
public protocol LeaderElectionObserver: Sendable {
    /// This process started (`leading: true`) or stopped leading the Lease `name`.
    func leadershipChanged(name: String, identity: String, leading: Bool, lease: Lease?)
}

/// Lease-based leader election with client-go's semantics (`tools/leaderelection`).
///
/// Run `campaign` (the elector itself) as a service; controllers wait in `runWhileLeading`.
/// - Following: an attempt every `retryPeriod × [1, 2.2)`; another holder's lease is valid until
///   the local *observed* time of its last change plus its `leaseDurationSeconds`.
/// - Leading: renews every `retryPeriod`; each renewal retries every `retryPeriod` until
///   `renewDeadline`. If no renewal succeeds by then, leadership is lost: gated work is cancelled
///   and `run()` throws `LeaderElectionLost`, so the process exits (it never re-campaigns).
/// - Graceful shutdown stops the campaign (after the controllers, which the manager stops first);
///   with `releaseOnCancel` the lease is handed back so a follower takes over at once.
public final class LeaseLeaderElector: LeaderElection, Service, Sendable {
    private enum Phase: Sendable, Equatable { case following, leading, stopped, lost(String) }

    /// The settings (validated at creation).
    public let configuration: LeaderElectionConfiguration
    private let lock: LeaseLock
    private let clock: RuntimeClock
    private let now: @Sendable () -> Date
    private let random: @Sendable () -> Double
    private let observer: (any LeaderElectionObserver)?
    private let logger: Logger
    private let phase = Mutex(Phase.following)
    private let elected = SyncGate()
    private let ended = SyncGate()

    /// Creates an elector; throws `LeaderElectionConfigurationError` for invalid timings.
    /// `clock` paces attempts and measures observed time; `now` stamps the Lease; `random` ∈ [0, 1) jitters.
    public init(
        configuration: LeaderElectionConfiguration, client: KubeClient, clock: some Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() }, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        observer: (any LeaderElectionObserver)? = nil, logger: Logger = Logger(label: "concord.leaderelection")
    ) throws {
        try configuration.validate()
        self.configuration = configuration
        self.lock = LeaseLock(client: client, namespace: configuration.namespace, name: configuration.name)
        self.clock = RuntimeClock(clock)
        self.now = now
        self.random = random
        self.observer = observer
        var log = logger
        log[metadataKey: "lease"] = "\(configuration.leaseKey)"
        log[metadataKey: "identity"] = "\(configuration.identity)"
        self.logger = log
    }

    /// The elector runs as the manager's campaign service.
    public var campaign: (any Service)? { self }

    /// True while this process leads.
    public var isLeader: Bool { phase.withLock { $0 == .leading } }

    private var lostReason: String? {
        phase.withLock { p in
            if case .lost(let reason) = p { return reason }
            return nil
        }
    }

    /// Per-request bound: max(renewDeadline / 2, 1 s), as controller-runtime sets its REST timeout.
    var requestTimeout: Duration { configuration.requestTimeout }

    /// Waits for leadership, runs `work`, and cancels it (throwing `LeaderElectionLost`) if leadership is lost.
    public func runWhileLeading(_ work: @escaping @Sendable () async throws -> Void) async throws {
        let leading: Bool
        do {
            try await cancelWhenGracefulShutdown { [elected] in try await elected.wait() }
            leading = isLeader
        } catch is CancellationError where Task.isShuttingDownGracefully {
            return
        }
        guard leading else {
            if let reason = lostReason { throw LeaderElectionLost(lease: configuration.leaseKey, reason: reason) }
            return
        }
        let key = configuration.leaseKey
        let ended = self.ended
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await work()
                return true
            }
            group.addTask {
                try await ended.wait()
                if let reason = self.lostReason { throw LeaderElectionLost(lease: key, reason: reason) }
                return false  // stopped without losing (graceful shutdown): let the work finish its drain
            }
            for try await workFinished in group where workFinished {
                group.cancelAll()
                return
            }
        }
    }

    /// Campaigns until leading, then renews until graceful shutdown (returns) or loss (throws).
    public func run() async throws {
        var state = LeaseElectionState(identity: configuration.identity, leaseDuration: configuration.leaseDuration)
        logger.info("Attempting to acquire leader lease")
        var lastHolder: String?
        while true {
            if await attempt(&state, timeout: requestTimeout, lastHolder: &lastHolder) { break }
            let delay = configuration.retryPeriod * (1 + LeaderElectionConfiguration.jitterFactor * random())
            guard await pause(delay) else { return finish() }
        }
        becameLeader(state)
        while true {
            guard await pause(configuration.retryPeriod) else { return await stopLeading(state) }
            let deadline = clock.now + configuration.renewDeadline
            var renewed = false
            while !renewed {
                let remaining = deadline - clock.now
                if remaining <= .zero { break }
                renewed = await attempt(&state, timeout: min(requestTimeout, remaining), lastHolder: &lastHolder)
                if renewed { break }
                // Like PollUntilContextTimeout: retry every retryPeriod; the deadline ends the last wait.
                let wait = min(configuration.retryPeriod, deadline - clock.now)
                guard wait > .zero else { break }
                guard await pause(wait) else { return await stopLeading(state) }
                if clock.now >= deadline { break }
            }
            if !renewed { throw lose("failed to renew the lease within the renew deadline (\(configuration.renewDeadline))") }
            if !state.isLeader { throw lose("the lease is held by \(state.observed?.holderIdentity ?? "another process")") }
        }
    }

    /// One `tryAcquireOrRenew`: the leader's fast path, else read, plan and write. True on success.
    private func attempt(_ state: inout LeaseElectionState, timeout: Duration, lastHolder: inout String?) async -> Bool {
        do {
            let outcome = try await state.attempt(lock, timeout: timeout, now: { clock.now }, wallNow: now)
            if let holder = state.observed?.holderIdentity, holder != lastHolder {
                lastHolder = holder
                if !holder.isEmpty && holder != configuration.identity { logger.info("New leader elected", metadata: ["leader": "\(holder)"]) }
            }
            switch outcome {
            case .acquired: return true
            case .heldByOther: return false
            case .writeFailed(let error):
                logger.debug("Lease write failed", metadata: ["error": "\(error)"])
                return false
            }
        } catch {
            logger.warning("Error retrieving lease", metadata: ["error": "\(error)"])
            return false
        }
    }

    private func becameLeader(_ state: LeaseElectionState) {
        phase.withLock { $0 = .leading }
        logger.info("Successfully acquired lease")
        observer?.leadershipChanged(name: configuration.name, identity: configuration.identity, leading: true, lease: lease(state))
        elected.open()
    }

    private func stopLeading(_ state: LeaseElectionState) async {
        if configuration.releaseOnCancel, case .update(let spec, let rv)? = state.release(wallNow: now()) {
            do {
                _ = try await lock.update(spec, resourceVersion: rv, timeout: configuration.renewDeadline)
                logger.info("Released the lease")
            } catch {
                logger.warning("Could not release the lease; followers take over once it expires", metadata: ["error": "\(error)"])
            }
        }
        observer?.leadershipChanged(name: configuration.name, identity: configuration.identity, leading: false, lease: lease(state))
        finish()
    }

    private func finish() {
        phase.withLock { $0 = .stopped }
        ended.open()
        elected.open()
    }

    private func lose(_ reason: String) -> LeaderElectionLost {
        phase.withLock { $0 = .lost(reason) }
        logger.error("Leader election lost", metadata: ["reason": "\(reason)"])
        observer?.leadershipChanged(name: configuration.name, identity: configuration.identity, leading: false, lease: Lease(metadata: ObjectMeta(name: configuration.name, namespace: configuration.namespace)))
        ended.open()
        elected.open()
        return LeaderElectionLost(lease: configuration.leaseKey, reason: reason)
    }

    private func lease(_ state: LeaseElectionState) -> Lease {
        Lease(metadata: ObjectMeta(name: configuration.name, namespace: configuration.namespace), spec: state.observed)
    }

    /// Sleeps on the clock; false when a graceful shutdown or cancellation came first.
    private func pause(_ duration: Duration) async -> Bool {
        if Task.isShuttingDownGracefully || Task.isCancelled { return false }
        let clock = self.clock
        do {
            try await cancelWhenGracefulShutdown { try await clock.sleep(for: duration) }
        } catch {
            return false
        }
        return !Task.isShuttingDownGracefully && !Task.isCancelled
    }
}
