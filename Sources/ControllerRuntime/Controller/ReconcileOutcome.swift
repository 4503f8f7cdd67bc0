import Foundation

/// How one reconcile ended, as reported to a `ControllerObserver`
/// (the `result` label of `controller_runtime_reconcile_total`).
public enum ReconcileOutcome: String, Sendable, Hashable {
    /// Returned `.done`.
    case success
    /// Returned `.requeue(after:)`.
    case requeueAfter = "requeue_after"
    /// Threw; the key is retried with backoff.
    case error
    /// Threw a `TerminalError`; not retried.
    case terminalError = "terminal_error"
}

/// Observes a controller's work: the seam where metrics plug in.
public protocol ControllerObserver: Sendable {
    /// One reconcile finished.
    func reconciled(controller: String, key: ObjectKey, outcome: ReconcileOutcome, duration: Duration)
    /// A controller named `controller` with `workers` workers was created; returns the observer of its queue.
    func controllerCreated(_ controller: String, workers: Int) -> any WorkQueueObserver
    /// A worker started (`busy`) or finished a reconcile.
    func workerBusy(controller: String, busy: Bool)
}

extension ControllerObserver {
    /// No queue metrics by default.
    public func controllerCreated(_ controller: String, workers: Int) -> any WorkQueueObserver { NoWorkQueueObserver() }
    /// Nothing by default.
    public func workerBusy(controller: String, busy: Bool) {}
}

/// An observer that does nothing.
public struct NoControllerObserver: ControllerObserver {
    /// Creates the observer.
    public init() {}
    /// Does nothing.
    public func reconciled(controller: String, key: ObjectKey, outcome: ReconcileOutcome, duration: Duration) {}
}

/// A controller could not start.
public struct ControllerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
