import ConcordTesting
import Foundation
import KubeClient
import KubernetesAPI
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1)))
struct RetryAndRateLimitTests {
    struct RetryCase: Sendable, CustomTestStringConvertible {
        var code: Int
        var retryAfter: String?
        var expected: Duration?
        var testDescription: String { "\(code) Retry-After \(retryAfter ?? "absent") → \(expected.map { "\($0)" } ?? "no retry")" }
    }

    @Test(arguments: [
        RetryCase(code: 429, retryAfter: "2", expected: .seconds(2)),
        RetryCase(code: 503, retryAfter: "1", expected: .seconds(1)),
        RetryCase(code: 500, retryAfter: "0", expected: .zero),
        RetryCase(code: 503, retryAfter: nil, expected: nil),
        RetryCase(code: 409, retryAfter: "1", expected: nil),
        RetryCase(code: 429, retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT", expected: nil),
    ])
    func onlyThrottlingAndServerErrorsWithRetryAfterAreRetried(_ c: RetryCase) {
        var headers: [String: String] = [:]
        if let r = c.retryAfter { headers["retry-after"] = r }
        #expect(RetryingTransport.retryDelay(KubeResponse(statusCode: c.code, headers: headers)) == c.expected)
    }

    @Test func aThrottledRequestIsSentAgainAfterRetryAfterUntilItSucceeds() async throws {
        let clock = ManualClock()
        let calls = Mutex(0)
        let fake = FakeKubeTransport(send: { _ in
            let n = calls.withLock { c -> Int in c += 1; return c }
            if n <= 2 { return KubeResponse(statusCode: 429, headers: ["retry-after": "3"]) }
            return .json(200, ["kind": "ConfigMap"])
        })
        let transport = RetryingTransport(base: fake, clock: RuntimeClock(clock))
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { try await transport.send(KubeRequest(method: .get, path: "/x")).statusCode }
            for expected in 1...2 {
                try await clock.waitForSleepers(1)
                #expect(calls.withLock { $0 } == expected)
                clock.advance(by: .seconds(3))
            }
            #expect(try await group.next() == 200)
        }
        #expect(calls.withLock { $0 } == 3)
    }

    @Test func retriesStopAfterMaxRetriesAndTheLastAnswerIsReturned() async throws {
        let calls = Mutex(0)
        let fake = FakeKubeTransport(send: { _ in
            calls.withLock { $0 += 1 }
            return KubeResponse(statusCode: 503, headers: ["retry-after": "0"])
        })
        let response = try await RetryingTransport(base: fake, maxRetries: 10).send(KubeRequest(method: .post, path: "/x"))
        #expect(response.statusCode == 503)
        #expect(calls.withLock { $0 } == 11)
    }

    @Test func requestsBeyondTheBurstWaitForTokensAtQPS() async throws {
        let clock = ManualClock()
        let sent = Mutex(0)
        let fake = FakeKubeTransport(send: { _ in
            sent.withLock { $0 += 1 }
            return .json(200, [:])
        })
        let limited = RateLimitedTransport(base: fake, qps: 2, burst: 2, clock: RuntimeClock(clock))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 { group.addTask { _ = try await limited.send(KubeRequest(method: .get, path: "/x")) } }
            try await clock.waitForSleepers(2)
            #expect(sent.withLock { $0 } == 2, "the burst goes at once")
            clock.advance(by: .milliseconds(500))
            try await waitUntil("3 requests sent", timeout: .seconds(5)) { sent.withLock { $0 } >= 3 }
            #expect(sent.withLock { $0 } == 3, "one token per 1/qps")
            clock.advance(by: .milliseconds(500))
            try await group.waitForAll()
        }
        #expect(sent.withLock { $0 } == 4)
    }
}
