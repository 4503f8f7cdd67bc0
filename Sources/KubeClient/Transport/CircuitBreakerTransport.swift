import Foundation
import KubernetesAPI
import Synchronization

/// Settings of a `CircuitBreakerTransport`.
public struct CircuitBreakerSettings: Sendable, Hashable {
    /// Consecutive transport failures (timeouts, refused or dropped connections) that open the circuit.
    public var failureThreshold: Int
    /// How long an open circuit fails requests at once before letting one trial request through.
    public var openDuration: Duration

    /// Creates settings.
    public init(failureThreshold: Int = 5, openDuration: Duration = .seconds(5)) {
        self.failureThreshold = max(1, failureThreshold)
        self.openDuration = openDuration
    }
}

/// The pure state of a circuit breaker: closed → open after `failureThreshold` consecutive
/// failures → half-open after `openDuration` (one trial request) → closed on success, open again on failure.
public struct CircuitBreakerState: Sendable, Equatable {
    /// Where the breaker is.
    public enum Phase: Sendable, Equatable {
        /// Requests flow; `failures` consecutive transport failures so far.
        case closed(failures: Int)
        /// Requests fail at once until `until` (a clock reading).
        case open(until: Duration)
        /// One trial request is in flight; others fail at once.
        case halfOpen
    }

    /// The current phase.
    public private(set) var phase: Phase = .closed(failures: 0)
    /// The settings.
    public let settings: CircuitBreakerSettings

    /// Creates a closed breaker.
    public init(settings: CircuitBreakerSettings) { self.settings = settings }

    /// Whether a request may be sent at `now` (an open circuit past its deadline admits one trial).
    public mutating func admit(now: Duration) -> Bool {
        switch phase {
        case .closed: return true
        case .halfOpen: return false
        case .open(let until):
            guard now >= until else { return false }
            phase = .halfOpen
            return true
        }
    }

    /// The request got an answer (any HTTP status): the server is reachable.
    public mutating func succeeded() { phase = .closed(failures: 0) }

    /// The request failed in transport at `now`.
    public mutating func failed(now: Duration) {
        switch phase {
        case .closed(let failures):
            phase = failures + 1 >= settings.failureThreshold ? .open(until: now + settings.openDuration) : .closed(failures: failures + 1)
        case .halfOpen, .open:
            phase = .open(until: now + settings.openDuration)
        }
    }
}

/// Fails requests to a server that keeps timing out at once instead of waiting for each timeout,
/// so callers sharing a hung member's client are not held up; one trial request per `openDuration`
/// finds out when it is back. Only transport failures count: any HTTP answer closes the circuit.
public final class CircuitBreakerTransport: KubeTransport {
    /// The transport requests go through while the circuit admits them.
    public let base: any KubeTransport
    private let state: Mutex<CircuitBreakerState>
    private let last = Mutex<KubeTransportError?>(nil)
    private let clock: RuntimeClock

    /// Wraps `base`.
    public init(base: any KubeTransport, settings: CircuitBreakerSettings = CircuitBreakerSettings(), clock: RuntimeClock = .continuous) {
        self.base = base
        self.state = Mutex(CircuitBreakerState(settings: settings))
        self.clock = clock
    }

    /// The breaker's phase (for tests, logs and metrics).
    public var phase: CircuitBreakerState.Phase { state.withLock { $0.phase } }

    /// The most recent transport failure that counted against the circuit, if any: callers that
    /// were failed fast can report the member's actual problem instead of the open circuit.
    public var lastFailure: KubeTransportError? { last.withLock { $0 } }

    /// Sends when admitted.
    public func send(_ request: KubeRequest) async throws -> KubeResponse {
        try admit(request)
        do {
            let response = try await base.send(request)
            state.withLock { $0.succeeded() }
            return response
        } catch {
            record(error)
            throw error
        }
    }

    /// Opens a stream when admitted.
    public func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse {
        try admit(request)
        do {
            let response = try await base.stream(request)
            state.withLock { $0.succeeded() }
            return response
        } catch {
            record(error)
            throw error
        }
    }

    private func admit(_ request: KubeRequest) throws {
        let now = clock.now
        guard state.withLock({ $0.admit(now: now) }) else {
            throw KubeTransportError(.circuitOpen, "\(request.method.rawValue) \(request.path): not sent; the server failed recent requests (circuit open)")
        }
    }

    private func record(_ error: any Error) {
        if error is CancellationError {
            // A cancelled trial must not leave the breaker half-open forever.
            let now = clock.now
            state.withLock { if $0.phase == .halfOpen { $0.failed(now: now) } }
            return
        }
        guard let t = error as? KubeTransportError, [.connectTimeout, .timeout, .connectionRefused, .connectionClosed].contains(t.code) else { return }
        last.withLock { $0 = t }
        let now = clock.now
        state.withLock { $0.failed(now: now) }
    }
}
