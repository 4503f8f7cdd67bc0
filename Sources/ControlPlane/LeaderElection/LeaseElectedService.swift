import Foundation
import KubernetesAPI
import Logging
import ServiceLifecycle
import Synchronization

/// Runs a controller on exactly one of the servers that share a store, elected through a
/// `coordination.k8s.io/v1` Lease with client-go's leader election semantics:
/// - Following: an attempt every `retryPeriod × [1, 2.2)`; another holder's lease stays valid until the
///   local time at which its last change was *observed* plus its `leaseDurationSeconds`.
/// - Leading: the controller runs; the lease is renewed every `retryPeriod`, each renewal retried every
///   `retryPeriod` until `renewDeadline`. When no renewal succeeds by then, the controller is cancelled and
///   the server campaigns again (the API server keeps serving: losing the lease only stops the controller).
/// - Graceful shutdown: the controller stops first, then (with `releaseOnCancel`) the lease is handed back
///   (holder emptied, 1 s), so another server takes over at its next attempt. A server that dies (`kill -9`)
///   hands nothing back: the others take over once `leaseDuration` has passed since they last saw it renewed.
struct LeaseElectedService: Service {
    let settings: LeaderElectionConfiguration
    let lock: any LeaseElectionLock
    let clock: any Clock<Duration>
    let now: @Sendable () -> Date
    var random: @Sendable () -> Double = { Double.random(in: 0..<1) }
    let status: LeaseElectionStatus
    let logger: Logger
    /// What the controller is called in logs ("the garbage collector").
    let workName: String
    /// The controller that runs while this server holds the lease.
    let work: any Service

    private enum Ending { case stopping, lost(String) }

    /// Campaigns, leads, campaigns again after a loss, until graceful shutdown or cancellation.
    func run() async throws {
        var campaign = Campaign(
            state: LeaseElectionState(identity: settings.identity, leaseDuration: settings.leaseDuration),
            elapsed: ElapsedTime(clock))
        logger.info("Campaigning for the lease", metadata: metadata)
        while true {
            while await !attempt(&campaign, timeout: settings.requestTimeout) {
                guard await pause(settings.retryPeriod * (1 + LeaderElectionConfiguration.jitterFactor * random())) else { return }
            }
            switch await lead(&campaign) {
            case .stopping:
                if settings.releaseOnCancel && !Task.isCancelled { await release(campaign.state) }
                return
            case .lost(let reason):
                logger.warning("Lost the lease; stopped \(workName) and campaigning again", metadata: metadata.merging(["reason": "\(reason)"]) { $1 })
            }
        }
    }

    private var metadata: Logger.Metadata { ["lease": "\(settings.leaseKey)", "identity": "\(settings.identity)"] }

    /// Runs the controller beside the renewal loop until the loop ends; the controller has stopped on return.
    private func lead(_ campaign: inout Campaign) async -> Ending {
        status.changed(leading: true, holder: settings.identity)
        logger.info("Acquired the lease: this server runs \(workName)", metadata: metadata)
        let workEnded = OnceFlag()
        let ending = await withTaskGroup(of: Void.self) { group -> Ending in
            group.addTask { [work, workName, logger] in
                do { try await work.run() } catch { logger.error("\(workName) failed", metadata: ["error": "\(error)"]) }
                workEnded.raise()
            }
            let ending = await renew(&campaign) { workEnded.isRaised }
            group.cancelAll()
            return ending
        }
        let holder = campaign.state.observed?.holderIdentity
        status.changed(leading: false, holder: holder == settings.identity ? nil : holder)
        return ending
    }

    /// Renews every retry period until shutdown, a renewal that fails for `renewDeadline`, or the controller's end.
    private func renew(_ campaign: inout Campaign, workEnded: () -> Bool) async -> Ending {
        while true {
            guard await pause(settings.retryPeriod) else { return .stopping }
            if workEnded() { return .lost("the controller ended") }
            let deadline = campaign.elapsed.now + settings.renewDeadline
            var renewed = false
            while !renewed {
                let remaining = deadline - campaign.elapsed.now
                guard remaining > .zero else { break }
                renewed = await attempt(&campaign, timeout: min(settings.requestTimeout, remaining))
                if renewed { break }
                let wait = min(settings.retryPeriod, deadline - campaign.elapsed.now)
                guard wait > .zero else { break }
                guard await pause(wait) else { return .stopping }
            }
            if !renewed { return .lost("no renewal succeeded within the renew deadline (\(settings.renewDeadline))") }
            if !campaign.state.isLeader { return .lost("the lease is held by \(campaign.state.observed?.holderIdentity ?? "another server")") }
        }
    }

    /// One `tryAcquireOrRenew`: the holder's fast path, else read, plan and write. True when a write succeeded.
    private func attempt(_ campaign: inout Campaign, timeout: Duration) async -> Bool {
        do {
            let elapsed = campaign.elapsed
            let outcome = try await campaign.state.attempt(lock, timeout: timeout, now: { elapsed.now }, wallNow: now)
            if let holder = campaign.state.observed?.holderIdentity, holder != campaign.lastHolder {
                campaign.lastHolder = holder
                if !holder.isEmpty && holder != settings.identity {
                    status.changed(leading: false, holder: holder)
                    logger.info("Another server holds the lease and runs \(workName)", metadata: metadata.merging(["holder": "\(holder)"]) { $1 })
                }
            }
            switch outcome {
            case .acquired: return true
            case .heldByOther: return false
            case .writeFailed(let error):
                logger.debug("Lease write failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
                return false
            }
        } catch {
            logger.warning("Could not read the lease", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return false
        }
    }

    /// Hands the lease back so another server takes over at once (only after the controller stopped).
    private func release(_ state: LeaseElectionState) async {
        guard case .update(let spec, let rv) = state.release(wallNow: now()) else { return }
        do {
            _ = try await lock.update(spec, resourceVersion: rv, timeout: settings.renewDeadline)
            status.changed(leading: false, holder: "")
            logger.info("Released the lease", metadata: metadata)
        } catch {
            logger.warning("Could not release the lease; another server takes over once it expires", metadata: metadata.merging(["error": "\(error)"]) { $1 })
        }
    }

    /// Sleeps on the clock; false when a graceful shutdown or cancellation came first (or comes during the sleep).
    private func pause(_ duration: Duration) async -> Bool {
        do { try await cancelWhenGracefulShutdown { [clock] in try await clock.sleep(for: duration) } } catch { return false }
        return !Task.isShuttingDownGracefully && !Task.isCancelled
    }
}
