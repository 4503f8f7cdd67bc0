import Synchronization
import ServiceLifecycle

/// Reports the server as listening (``ControlPlaneServer/port()`` answers) once the first round of the
/// `kubernetes` Service is written, so what a client does next never races the server's own first writes.
struct ListeningReport: Service {
    /// The bound port, once the server listens.
    let listening: AsyncStream<Int>
    let kubernetesService: KubernetesServiceReconciler
    /// A server sharing its store makes only what is missing (the Lease holder keeps the rest).
    let createOnly: Bool
    let report: @Sendable (Int) -> Void

    func run() async {
        for await bound in listening.cancelOnGracefulShutdown() {
            await kubernetesService.initialRound(port: bound, createOnly: createOnly)
            report(bound)
            return
        }
    }
}

/// The port the server listens on, once it is known. Waiting for it ends when the waiting task is
/// cancelled (a server that never bound its port stops its services that way).
final class ListeningPort: Sendable {
    private let state: Mutex<(port: Int?, waiters: [Int: CheckedContinuation<Int, any Error>], next: Int)>

    /// A port not known yet, or `port`.
    init(_ port: Int? = nil) { state = Mutex((port, [:], 0)) }

    /// Sets the port and wakes every waiter.
    func set(_ port: Int) {
        let waiters = state.withLock { s in
            s.port = port
            defer { s.waiters = [:] }
            return Array(s.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    /// The port; waits until it is set; throws `CancellationError` when the task is cancelled first.
    func value() async throws -> Int {
        let id = state.withLock { s in
            s.next += 1
            return s.next
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let ready: Result<Int, any Error>? = state.withLock { s in
                    if let port = s.port { return .success(port) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    s.waiters[id] = continuation
                    return nil
                }
                if let ready { continuation.resume(with: ready) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }
}
