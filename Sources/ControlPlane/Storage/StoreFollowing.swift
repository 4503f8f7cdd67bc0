import KubernetesAPI
import Logging

extension ObjectStore {
    /// Lists `resource` in every namespace and hands the list (with its revision) to `listed`, then hands each
    /// batch of its watch to `changed`, for the server's own controllers. A watch that expired (the history
    /// moved on, or the watcher fell behind) lists again; another storage error is logged at debug level as
    /// `what` and retried after `retryInterval` on `clock`. Returns when the watch ends or the task is cancelled.
    func follow(
        _ resource: String, clock: any Clock<Duration>, retryInterval: Duration, logger: Logger, what: String,
        listed: ([StoredObject], Int64) -> Void, changed: ([StorageEvent]) -> Void
    ) async {
        while !Task.isCancelled {
            do {
                let (objects, revision) = try await list(resource: resource, namespace: nil)
                listed(objects, revision)
                let watch = try await watch(resource: resource, namespace: nil, after: revision)
                for try await batch in watch.batches { changed(batch) }
                return
            } catch let e as StorageError {
                if case .expired = e.code { continue }
                logger.debug("\(what) failed", metadata: ["resource": "\(resource)", "error": "\(e)"])
            } catch {
                return
            }
            do { try await clock.sleep(for: retryInterval) } catch { return }
        }
    }
}
