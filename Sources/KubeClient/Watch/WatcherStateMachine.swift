import Foundation
import KubernetesAPI

/// The pure core of `Watcher`, following client-go's reflector: list, then watch from the list's
/// resourceVersion; a 410 relists; a clean server close re-watches from the last resourceVersion;
/// errors back off. No I/O: the iterator performs the returned actions and reports their outcomes.
///
/// The resourceVersion of each LIST (`listResourceVersion`):
/// - `"0"` before the first successful list (the API server may answer from its watch cache);
/// - then the last resourceVersion seen (`lastSyncResourceVersion`, "not older than");
/// - `""` (a consistent read from storage) after a list at that version was refused as expired
///   (410) or as too large (504 `ResourceVersionTooLarge`); the first success clears this.
public struct WatcherStateMachine: Sendable {
    /// Where the watcher is.
    public enum State: Sendable, Equatable {
        /// Nothing known yet: the next step is the first list.
        case empty
        /// A list is due or in flight (a relist when something was already synced).
        case listing
        /// Watching (or about to re-watch) from this resourceVersion.
        case watching(resourceVersion: String)
    }

    /// What the iterator should do next.
    public enum Action: Sendable, Equatable {
        /// Wait this long (on the injected clock) before the next action.
        case sleep(Duration)
        /// LIST everything at this resourceVersion (`"0"`, the last synced one, or `""`).
        case list(resourceVersion: String)
        /// Open a WATCH from this resourceVersion.
        case watch(resourceVersion: String)
    }

    /// The current state.
    public private(set) var state: State = .empty
    /// The newest resourceVersion seen (list, event or bookmark); "" before the first list.
    public private(set) var lastSyncResourceVersion = ""
    /// Set when a list at `lastSyncResourceVersion` was refused as expired or too large: the next
    /// list is a consistent read (`""`).
    public private(set) var isLastSyncResourceVersionUnavailable = false
    private var backoff: Backoff
    private var lastBackoffAt: Duration?
    private var pendingDelay: Duration?
    /// Watches that end sooner than this without any event count as failures (no hot loop).
    public var minimumWatchDuration: Duration
    /// The backoff starts over once this long has passed since the previous delay (client-go: 2 min).
    public var backoffResetInterval: Duration

    /// Creates a machine in `.empty`.
    public init(backoff: Backoff = .reflector, minimumWatchDuration: Duration = .seconds(1), backoffResetInterval: Duration = .seconds(120)) {
        self.backoff = backoff
        self.minimumWatchDuration = minimumWatchDuration
        self.backoffResetInterval = backoffResetInterval
    }

    /// The resourceVersion the next LIST asks for.
    public var listResourceVersion: String {
        if isLastSyncResourceVersionUnavailable { return "" }
        return lastSyncResourceVersion.isEmpty ? "0" : lastSyncResourceVersion
    }

    /// The next action; a due list moves to `.listing`.
    public mutating func nextAction() -> Action {
        if let d = pendingDelay {
            pendingDelay = nil
            return .sleep(d)
        }
        switch state {
        case .empty, .listing:
            state = .listing
            return .list(resourceVersion: listResourceVersion)
        case .watching(let rv):
            return .watch(resourceVersion: rv)
        }
    }

    /// The list succeeded at `resourceVersion`: watch from there.
    public mutating func listSucceeded(resourceVersion: String) {
        state = .watching(resourceVersion: resourceVersion)
        lastSyncResourceVersion = resourceVersion
        isLastSyncResourceVersionUnavailable = false
    }

    /// The list failed. A 410 (expired version or continue token) or a too-large version relists
    /// at once with `""`, unless that was already the version asked for; anything else backs off.
    public mutating func listFailed(_ error: any Error, now: Duration = .zero) {
        state = .listing
        let api = error as? KubeAPIError
        if let api, api.isGone || api.isResourceVersionTooLarge, !isLastSyncResourceVersionUnavailable {
            isLastSyncResourceVersionUnavailable = true
            return
        }
        delay(now: now)
    }

    /// Opening the watch failed (client-go's rules). 410 relists at once; transport errors
    /// (connection refused, timeouts) and 429 re-watch after a backoff; any other API error
    /// relists after a backoff.
    public mutating func watchOpenFailed(_ error: any Error, now: Duration = .zero) {
        if let api = error as? KubeAPIError {
            if api.isGone {
                state = .listing
                return
            }
            if !api.isTooManyRequests { state = .listing }
        }
        delay(now: now)
    }

    /// An event arrived on the open watch. Returns the event to hand to the consumer, if any.
    /// ERROR events: 410 relists at once, 429 re-watches after a backoff, others relist after one.
    public mutating func received<Object: Sendable>(_ event: DecodedWatchEvent<Object>, metadata: (Object) -> ObjectMeta, now: Duration = .zero) -> WatcherEvent<Object>? {
        switch event {
        case .object(let type, let object):
            advance(to: metadata(object).resourceVersion)
            switch type {
            case .added: return .added(object)
            case .modified: return .modified(object)
            case .deleted: return .deleted(object)
            case .bookmark, .error: return nil
            }
        case .bookmark(let rv):
            guard let rv, !rv.isEmpty else { return nil }
            advance(to: rv)
            return .bookmark(resourceVersion: rv)
        case .error(let status):
            let err = KubeAPIError(status: status, statusCode: status.code ?? 500)
            if err.isGone {
                state = .listing
            } else if err.isTooManyRequests {
                delay(now: now)
            } else {
                state = .listing
                delay(now: now)
            }
            return nil
        }
    }

    /// An event arrived whose object could not be decoded: it is skipped, but its resourceVersion
    /// still counts, so the next watch resumes after it instead of receiving it again.
    public mutating func skipped(resourceVersion: String?) {
        advance(to: resourceVersion)
    }

    /// The server closed the watch. A clean close re-watches from the last resourceVersion at once;
    /// a watch that delivered nothing and lasted less than `minimumWatchDuration` is an error
    /// (client-go's "very short watch"): back off, then relist.
    public mutating func streamEnded(receivedEvents: Bool, lasted: Duration, now: Duration = .zero) {
        if !receivedEvents && lasted < minimumWatchDuration {
            state = .listing
            delay(now: now)
        }
    }

    /// The open watch broke. An idle timeout (the server sent nothing, not even a bookmark, for
    /// the client's read timeout) re-watches from the last resourceVersion at once; a lost
    /// connection backs off, then re-watches; undecodable data backs off, then relists.
    public mutating func streamFailed(_ error: any Error, now: Duration = .zero) {
        if let t = error as? KubeTransportError {
            if t.code == .timeout { return }
            if t.code == .invalidResponse { state = .listing }
        }
        delay(now: now)
    }

    private mutating func advance(to rv: String?) {
        guard let rv, !rv.isEmpty else { return }
        lastSyncResourceVersion = rv
        state = .watching(resourceVersion: rv)
    }

    /// Schedules the next backoff delay; the backoff starts over when the previous delay was
    /// taken more than `backoffResetInterval` ago (client-go's `DelayWithReset`).
    private mutating func delay(now: Duration) {
        if let last = lastBackoffAt, now - last >= backoffResetInterval { backoff.reset() }
        lastBackoffAt = now
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
