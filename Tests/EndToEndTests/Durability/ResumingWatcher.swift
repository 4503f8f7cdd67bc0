import ConcordTesting
import FederationAPI
import KubeClient
import Synchronization

/// A watch event as the durability checks compare them.
struct SeenEvent: Sendable, Hashable, CustomStringConvertible {
    var type: WatchEventType
    var name: String
    var revision: Int64

    var description: String { "\(revision) \(type.rawValue) \(name)" }
}

/// A watcher that survives server restarts the way an informer does between relists: whenever its
/// stream ends it waits for the server and watches again from the last resourceVersion it saw.
/// It never relists, so anything lost or repeated at a resume point shows up in `events`.
final class ResumingWatcher: Sendable {
    private struct State {
        var events: [SeenEvent] = []
        var last: Int64
        var opened = 0
        var problems: [String] = []
    }

    private let state: Mutex<State>

    init(from revision: Int64) { state = Mutex(State(last: revision)) }

    /// Every event received, across all streams, in order.
    var events: [SeenEvent] { state.withLock { $0.events } }
    /// The resourceVersion of the newest event received.
    var lastRevision: Int64 { state.withLock { $0.last } }
    /// How many watch streams were opened.
    var streamsOpened: Int { state.withLock { $0.opened } }
    /// ERROR events or refusals (a 410 here means a resume point was lost).
    var problems: [String] { state.withLock { $0.problems } }

    /// Watches until cancelled or until the gate closes.
    func run(_ configMaps: DynamicResourceClient, namespace: String, gate: ServerGate) async {
        while !Task.isCancelled {
            guard let epoch = await gate.waitUntilUp() else { return }
            let from = lastRevision
            do {
                let options = WatchOptions(list: ListOptions(resourceVersion: String(from)), allowWatchBookmarks: false)
                let stream = try await configMaps.watchEvents(namespace: namespace, options: options)
                state.withLock { $0.opened += 1 }
                for try await event in stream {
                    switch event {
                    case .object(let type, let object):
                        let seen = SeenEvent(
                            type: type, name: object.value(at: ["metadata", "name"])?.stringValue ?? "",
                            revision: try ConfigMapWriter.revision(object))
                        state.withLock { state in
                            state.events.append(seen)
                            state.last = seen.revision
                        }
                    case .error(let status):
                        state.withLock { $0.problems.append("ERROR event after \(from): \(status.code ?? 0) \(status.message ?? "")") }
                        return
                    case .bookmark:
                        continue
                    }
                }
            } catch {
                if Task.isCancelled { return }
                if await !gate.killExplainsFailure(startedIn: epoch) {
                    state.withLock { $0.problems.append("watch from \(from) failed while the server was up: \(error)") }
                    return
                }
            }
        }
    }
}
