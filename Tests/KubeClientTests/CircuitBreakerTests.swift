import ConcordTesting
import Foundation
import KubeClient
import KubernetesAPI
import Synchronization
import Testing

struct CircuitBreakerTests {
    @Test func opensAfterConsecutiveFailuresAdmitsOneTrialAfterTheCoolDownAndClosesOnAnAnswer() {
        var b = CircuitBreakerState(settings: CircuitBreakerSettings(failureThreshold: 3, openDuration: .seconds(5)))
        for t in 0..<2 {
            let admitted = b.admit(now: .seconds(t))
            #expect(admitted)
            b.failed(now: .seconds(t))
        }
        #expect(b.phase == .closed(failures: 2))
        b.failed(now: .seconds(2))
        #expect(b.phase == .open(until: .seconds(7)))
        let early = b.admit(now: .seconds(6))
        let trial = b.admit(now: .seconds(7))
        let second = b.admit(now: .seconds(7))
        #expect(!early)
        #expect(trial, "one trial after the cool-down")
        #expect(!second, "only one")
        b.failed(now: .seconds(8))
        #expect(b.phase == .open(until: .seconds(13)))
        let again = b.admit(now: .seconds(13))
        #expect(again)
        b.succeeded()
        #expect(b.phase == .closed(failures: 0))
    }

    @Test func anAnswerOfAnyStatusResetsTheFailureCount() {
        var b = CircuitBreakerState(settings: CircuitBreakerSettings(failureThreshold: 2))
        b.failed(now: .zero)
        b.succeeded()
        b.failed(now: .zero)
        #expect(b.phase == .closed(failures: 1))
    }

    @Test func aHungServerFailsFastOnceTheCircuitIsOpen() async throws {
        let clock = ManualClock()
        let sent = Mutex(0)
        let fake = FakeKubeTransport(send: { r in
            sent.withLock { $0 += 1 }
            if r.path == "/api/v1/namespaces" { return .json(200, [:]) }
            throw KubeTransportError(.timeout, "no answer")
        })
        let breaker = CircuitBreakerTransport(base: fake, settings: CircuitBreakerSettings(failureThreshold: 2, openDuration: .seconds(5)), clock: RuntimeClock(clock))
        for _ in 0..<2 {
            await #expect(throws: KubeTransportError.self) { try await breaker.send(KubeRequest(method: .get, path: "/readyz")) }
        }
        do {
            _ = try await breaker.send(KubeRequest(method: .get, path: "/readyz"))
            Issue.record("an open circuit must not send")
        } catch let e as KubeTransportError {
            #expect(e.code == .circuitOpen)
        }
        #expect(sent.withLock { $0 } == 2)
        clock.advance(by: .seconds(5))
        #expect(try await breaker.send(KubeRequest(method: .get, path: "/api/v1/namespaces")).statusCode == 200)
        #expect(breaker.phase == .closed(failures: 0))
    }
}
