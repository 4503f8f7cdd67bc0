import ConcordTesting
import Foundation
import KubeClient
import KubernetesAPI
import Testing

/// The resourceVersions, page sizes and timeouts the watcher asks for, as client-go's reflector does.
@Suite(.timeLimit(.minutes(1)))
struct ReflectorResourceVersionTests {
    private func requests(_ t: FakeKubeTransport) -> [String] {
        t.requests.map { r in
            let verb = r.queryValue("watch") == "true" ? "watch" : "list"
            let limit = r.queryValue("limit").map { " limit=\($0)" } ?? ""
            return "\(verb)@\(r.queryValue("resourceVersion") ?? "")\(limit)"
        }
    }

    private func config(_ clock: ManualClock) -> WatcherConfiguration {
        WatcherConfiguration(backoff: Backoff(jitter: 0), watchTimeoutSeconds: { 450 }, clock: RuntimeClock(clock))
    }

    private static let tooLarge = KubeResponse.json(504, [
        "kind": "Status", "apiVersion": "v1", "status": "Failure", "code": 504, "reason": "Timeout",
        "message": "Too large resource version: 10, current: 9",
        "details": ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]]],
    ])

    struct RelistRefusal: CustomTestStringConvertible, Sendable {
        var name: String
        var answer: KubeResponse
        var testDescription: String { name }
    }

    @Test(arguments: [
        RelistRefusal(name: "410 Expired", answer: .status(410, reason: StatusReason.expired, message: "too old resource version: 10 (25)")),
        RelistRefusal(name: "504 ResourceVersionTooLarge", answer: tooLarge),
        RelistRefusal(name: "504 with only the message (older servers)", answer: .status(504, reason: StatusReason.timeout, message: "Too large resource version: 10, current: 9")),
    ])
    func relistRefusedAtTheLastVersionFallsBackToAConsistentRead(_ c: RelistRefusal) async throws {
        let script = Script(
            lists: [.success(listResponse([], rv: "10")), .success(c.answer), .success(listResponse([configMap("n", rv: "30")], rv: "31"))],
            watches: [.status(.status(410, reason: StatusReason.expired, message: "too old resource version: 10 (25)"))])
        let fake = script.transport
        let clock = ManualClock()
        var it = KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).watcher(configuration: config(clock)).makeAsyncIterator()
        _ = try await it.next()
        let second = try await it.next()
        guard case .relisted(let items, let rv) = second else {
            Issue.record("expected a relist, got \(String(describing: second))")
            return
        }
        #expect(items.count == 1 && rv == "31")
        #expect(requests(fake) == ["list@0 limit=500", "watch@10", "list@10", "list@ limit=500"])
        #expect(clock.now.offset == .zero, "the fallback to a consistent read is immediate")
    }

    @Test func watchAsksForBookmarksAndARandomizedServerTimeout() async throws {
        let script = Script(lists: [.success(listResponse([], rv: "7"))], watches: [])
        let fake = script.transport
        let watcher = KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).watcher(configuration: config(ManualClock()))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var it = watcher.makeAsyncIterator()
                _ = try await it.next()
                _ = try await it.next()
            }
            try await waitUntil { fake.requests.count == 2 }
            let watch = try #require(fake.requests.last)
            #expect(watch.queryValue("watch") == "true")
            #expect(watch.queryValue("resourceVersion") == "7")
            #expect(watch.queryValue("allowWatchBookmarks") == "true")
            #expect(watch.queryValue("timeoutSeconds") == "450")
            group.cancelAll()
        }
    }

    @Test func defaultWatchTimeoutsSpreadOverFiveToTenMinutes() {
        let timeouts = (0..<200).map { _ in WatcherConfiguration().watchTimeoutSeconds() }
        #expect(timeouts.allSatisfy { (300..<600).contains($0) })
        #expect(Set(timeouts).count > 10, "timeouts are randomized so watches do not reconnect in lockstep")
    }

    @Test func tooManyRequestsErrorEventRewatchesAfterBackoff() async throws {
        let w1 = FakeWatchStream()
        w1.send(.added, configMap("a", rv: "11"))
        w1.error(code: 429, reason: StatusReason.tooManyRequests, message: "slow down")
        let w2 = FakeWatchStream()
        w2.send(.modified, configMap("a", rv: "12"))
        let script = Script(lists: [.success(listResponse([], rv: "10"))], watches: [.stream(w1), .stream(w2)])
        let fake = script.transport
        let clock = ManualClock()
        let watcher = KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).watcher(configuration: config(clock))
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                var it = watcher.makeAsyncIterator()
                var n = 0
                for _ in 0..<3 { if try await it.next() != nil { n += 1 } }
                return n
            }
            try await clock.waitForSleepers(1)
            #expect(clock.nextDeadline == ManualClock.Instant(offset: .milliseconds(800)))
            clock.advanceToNextDeadline()
            let delivered = try await group.next()
            #expect(delivered == 3)
            #expect(requests(fake) == ["list@0 limit=500", "watch@10", "watch@11"], "429 keeps the cache and re-watches")
        }
    }
}
