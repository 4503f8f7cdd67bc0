import FederationAPI
import Foundation

/// The pure core of `Watcher`: list, then watch from the list's resourceVersion; a 410 goes back
/// to `.empty` (relist); a clean server close re-watches from the last resourceVersion; errors back off.
/// No I/O: the iterator performs the returned actions and reports their outcomes.
public struct WatcherStateMachine: Sendable {
    /// Where the watcher is.
    public enum State: Sendable, Equatable {
        /// Nothing known: the next step is a full list.
        case empty
        /// A list is in flight.
        case listing
        /// Watching (or about to re-watch) from this resourceVersion.
        case watching(resourceVersion: String)
    }

    /// What the iterator should do next.
    public enum Action: Sendable, Equatable {
        /// Wait this long (on the injected clock) before the next action.
        case sleep(Duration)
        /// LIST everything.
        case list
        /// Open a WATCH from this resourceVersion.
        case watch(resourceVersion: String)
    }

    /// The current state.
    public private(set) var state: State = .empty
    private var backoff: Backoff
    private var pendingDelay: Duration?
    private var previousListExpired = false
    /// Watches that end sooner than this without any event count as failures (no hot loop).
    public var minimumWatchDuration: Duration

    /// Creates a machine in `.empty`.
    public init(backoff: Backoff = .reflector, minimumWatchDuration: Duration = .seconds(1)) {
        self.backoff = backoff
        self.minimumWatchDuration = minimumWatchDuration
    }

    /// The next action; moves `.empty` to `.listing`.
    public mutating func nextAction() -> Action {
        if let d = pendingDelay {
            pendingDelay = nil
            return .sleep(d)
        }
        switch state {
        case .empty, .listing:
            state = .listing
            return .list
        case .watching(let rv):
            return .watch(resourceVersion: rv)
        }
    }

    /// The list succeeded at `resourceVersion`: watch from there.
    public mutating func listSucceeded(resourceVersion: String) {
        state = .watching(resourceVersion: resourceVersion)
        previousListExpired = false
        backoff.reset()
    }

    /// The list failed: back off, then list again; an expired continue token (410) relists in full
    /// at once, but only once in a row (a server that keeps answering 410 gets the backoff).
    public mutating func listFailed(_ error: any Error) {
        state = .empty
        let expired = (error as? KubeAPIError)?.isGone == true
        defer { previousListExpired = expired }
        if expired && !previousListExpired { return }
        pendingDelay = backoff.next()
    }

    /// Opening the watch failed (client-go's rules). 410 relists at once; transport errors
    /// (connection refused, timeouts) and 429 re-watch after a backoff; any other API error
    /// relists after a backoff.
    public mutating func watchOpenFailed(_ error: any Error) {
        if let api = error as? KubeAPIError {
            if api.isGone {
                state = .empty
                return
            }
            if !api.isTooManyRequests { state = .empty }
        }
        pendingDelay = backoff.next()
    }

    /// An event arrived on the open watch. Returns the event to hand to the consumer, if any.
    public mutating func received<Object: Sendable>(_ event: DecodedWatchEvent<Object>, metadata: (Object) -> ObjectMeta) -> WatcherEvent<Object>? {
        switch event {
        case .object(let type, let object):
            if let rv = metadata(object).resourceVersion, !rv.isEmpty { state = .watching(resourceVersion: rv) }
            backoff.reset()
            switch type {
            case .added: return .added(object)
            case .modified: return .modified(object)
            case .deleted: return .deleted(object)
            case .bookmark, .error: return nil
            }
        case .bookmark(let rv):
            guard let rv, !rv.isEmpty else { return nil }
            state = .watching(resourceVersion: rv)
            return .bookmark(resourceVersion: rv)
        case .error(let status):
            let err = KubeAPIError(status: status, statusCode: status.code ?? 500)
            state = .empty
            if !err.isGone { pendingDelay = backoff.next() }
            return nil
        }
    }

    /// The server closed the watch. A clean close re-watches from the last resourceVersion at once;
    /// a watch that delivered nothing and lasted less than `minimumWatchDuration` backs off first.
    public mutating func streamEnded(receivedEvents: Bool, lasted: Duration) {
        if !receivedEvents && lasted < minimumWatchDuration { pendingDelay = backoff.next() }
    }

    /// The open watch broke. An idle timeout (the server sent nothing, not even a bookmark, for
    /// the client's read timeout) re-watches from the last resourceVersion at once; a lost
    /// connection backs off, then re-watches; undecodable data backs off, then relists.
    public mutating func streamFailed(_ error: any Error) {
        if let t = error as? KubeTransportError {
            if t.code == .timeout { return }
            if t.code == .invalidResponse { state = .empty }
        }
        pendingDelay = backoff.next()
    }
}

/// What a `Watcher` yields.
public enum WatcherEvent<Object: Sendable>: Sendable {
    /// A full list replaced everything known: an informer replaces its cache with `items`
    /// (and emits deletes for vanished objects). Yielded first and after every relist.
    case relisted(items: [Object], resourceVersion: String)
    /// An object appeared.
    case added(Object)
    /// An object changed.
    case modified(Object)
    /// An object was deleted (its last state).
    case deleted(Object)
    /// The resourceVersion advanced without a change.
    case bookmark(resourceVersion: String)
}
