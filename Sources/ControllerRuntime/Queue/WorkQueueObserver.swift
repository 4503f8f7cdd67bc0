import Foundation

/// Observes a work queue (client-go's `workqueue.MetricsProvider`): where queue metrics plug in.
public protocol WorkQueueObserver: Sendable {
    /// A key was added (not a duplicate of one already queued): `workqueue_adds_total`.
    func added()
    /// Keys waiting to be handed out: `workqueue_depth`.
    func depthChanged(_ depth: Int)
    /// A key waited this long between being added and handed to a worker: `workqueue_queue_duration_seconds`.
    func waited(_ duration: Duration)
    /// A worker held a key this long: `workqueue_work_duration_seconds`.
    func worked(_ duration: Duration)
    /// A key was re-added with backoff: `workqueue_retries_total`.
    func retried()
}

/// An observer that records nothing.
public struct NoWorkQueueObserver: WorkQueueObserver {
    /// Creates the observer.
    public init() {}
    /// Nothing.
    public func added() {}
    /// Nothing.
    public func depthChanged(_ depth: Int) {}
    /// Nothing.
    public func waited(_ duration: Duration) {}
    /// Nothing.
    public func worked(_ duration: Duration) {}
    /// Nothing.
    public func retried() {}
}
