import KubernetesAPI

/// Turns a storage event into what a filtered watch must see: an object entering the selection is ADDED,
/// one leaving it is DELETED, and changes outside it are not sent.
///
/// As kube-apiserver's watch cache does, the DELETED event of an object leaving the selection carries the
/// object as it was (the last state the watcher was sent, which matched), at the event's resourceVersion.
enum WatchFilter {
    static func translate(_ event: StorageEvent, filter: ListFilter) -> (type: String, object: JSONValue)? {
        let now = filter.matches(event.object)
        let before = event.previous.map(filter.matches) ?? false
        switch event.type {
        case .added:
            return now ? ("ADDED", event.object) : nil
        case .modified:
            switch (before, now) {
            case (true, true): return ("MODIFIED", event.object)
            case (false, true): return ("ADDED", event.object)
            case (true, false): return ("DELETED", event.previous.flatMap { try? $0.stampingResourceVersion(event.revision, key: event.key) } ?? event.object)
            case (false, false): return nil
            }
        case .deleted:
            return (now || before) ? ("DELETED", event.object) : nil
        }
    }
}
