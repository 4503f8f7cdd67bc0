import ConcordTesting
import Foundation
import KubeClient
import KubernetesAPI
import Testing

private func describe(_ e: WatcherEvent<JSONValue>?) -> String {
    switch e {
    case .relisted(let items, let rv): return "relisted(\(items.compactMap { $0.value(at: ["metadata", "name"])?.stringValue }.joined(separator: ",")))@\(rv)"
    case .added(let o): return "added(\(o.value(at: ["metadata", "name"])?.stringValue ?? ""))"
    case .modified(let o): return "modified(\(o.value(at: ["metadata", "name"])?.stringValue ?? ""))"
    case .deleted(let o): return "deleted(\(o.value(at: ["metadata", "name"])?.stringValue ?? ""))"
    case .bookmark(let rv): return "bookmark@\(rv)"
    case nil: return "end"
    }
}

private func watchRVs(_ t: FakeKubeTransport) -> [String] {
    t.requests.map { "\($0.queryValue("watch") == "true" ? "watch" : "list")@\($0.queryValue("resourceVersion") ?? "")" }
}

private func noJitter(_ clock: ManualClock) -> WatcherConfiguration {
    WatcherConfiguration(backoff: Backoff(jitter: 0), watchTimeoutSeconds: { 300 }, clock: RuntimeClock(clock))
}

@Suite(.timeLimit(.minutes(1)))
struct WatcherTests {
    @Test func expiredErrorEventRelistsAndReplaces() async throws {
        let w1 = FakeWatchStream()
        w1.send(.added, configMap("c", rv: "11"))
        w1.error(code: 410, reason: StatusReason.expired)
        let script = Script(lists: [.success(listResponse([configMap("a", rv: "5")], rv: "10")), .success(listResponse([configMap("b", rv: "19")], rv: "20"))], watches: [.stream(w1)])
        let fake = script.transport
        let clock = ManualClock()
        var it = KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).watcher(configuration: noJitter(clock)).makeAsyncIterator()
        #expect(describe(try await it.next()) == "relisted(a)@10")
        #expect(describe(try await it.next()) == "added(c)")
        #expect(describe(try await it.next()) == "relisted(b)@20")
        #expect(watchRVs(fake) == ["list@0", "watch@10", "list@11"], "the first list may come from the watch cache; the relist is not older than the last event")
        #expect(clock.now.offset == .zero, "410 relists at once, without backoff")
    }

    @Test func cleanCloseRewatchesFromLastResourceVersionWithoutRelist() async throws {
        let w1 = FakeWatchStream()
        w1.send(.added, configMap("x", rv: "11"))
        w1.send(.modified, configMap("x", rv: "12"))
        w1.close()
        let w2 = FakeWatchStream()
        w2.bookmark("15")
        w2.close()
        let w3 = FakeWatchStream()
        w3.send(.deleted, configMap("x", rv: "16"))
        let script = Script(lists: [.success(listResponse([], rv: "10"))], watches: [.stream(w1), .stream(w2), .stream(w3)])
        let fake = script.transport
        let clock = ManualClock()
        var it = KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).watcher(configuration: noJitter(clock)).makeAsyncIterator()
        var seen: [String] = []
        for _ in 0..<5 { seen.append(describe(try await it.next())) }
        #expect(seen == ["relisted()@10", "added(x)", "modified(x)", "bookmark@15", "deleted(x)"])
        #expect(watchRVs(fake) == ["list@0", "watch@10", "watch@12", "watch@15"])
        #expect(fake.requests.allSatisfy { $0.queryValue("watch") == nil || $0.queryValue("allowWatchBookmarks") == "true" })
        #expect(fake.requests.last?.queryValue("timeoutSeconds") == "300")
    }

    @Test func watchRefusedWith410RelistsAtOnce() async throws {
        let script = Script(
            lists: [.success(listResponse([], rv: "10")), .success(listResponse([configMap("n", rv: "30")], rv: "31"))],
            watches: [.status(.status(410, reason: StatusReason.expired, message: "too old resource version: 10 (25)"))])
        let fake = script.transport
        var it = KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).watcher(configuration: noJitter(ManualClock())).makeAsyncIterator()
        #expect(describe(try await it.next()) == "relisted()@10")
        #expect(describe(try await it.next()) == "relisted(n)@31")
        #expect(watchRVs(fake) == ["list@0", "watch@10", "list@10"])
    }

    @Test func listFailureBacksOffOnTheInjectedClock() async throws {
        let script = Script(lists: [.success(.status(500, reason: StatusReason.internalError, message: "etcd down")), .success(listResponse([configMap("a", rv: "1")], rv: "2"))], watches: [])
        let fake = script.transport
        let clock = ManualClock()
        let watcher = KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).watcher(configuration: noJitter(clock))
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                var it = watcher.makeAsyncIterator()
                return describe(try await it.next())
            }
            try await clock.waitForSleepers(1)
            #expect(fake.requests.count == 1)
            #expect(clock.nextDeadline == ManualClock.Instant(offset: .milliseconds(800)))
            clock.advance(by: .milliseconds(800))
            let next = try await group.next()
            #expect(next == "relisted(a)@2")
        }
    }

    @Test func backoffGrowsAcrossConsecutiveFailures() async throws {
        let script = Script(lists: [
            .failure(KubeTransportError(.connectionRefused, "refused")),
            .failure(KubeTransportError(.connectionRefused, "refused")),
            .failure(KubeTransportError(.connectionRefused, "refused")),
            .success(listResponse([], rv: "5")),
        ], watches: [])
        let fake = script.transport
        let clock = ManualClock()
        let watcher = KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).watcher(configuration: noJitter(clock))
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                var it = watcher.makeAsyncIterator()
                return describe(try await it.next())
            }
            var delays: [Duration] = []
            for _ in 0..<3 {
                try await clock.waitForSleepers(1)
                let next = try #require(clock.nextDeadline)
                delays.append(clock.now.duration(to: next))
                clock.advanceToNextDeadline()
            }
            #expect(delays == [.milliseconds(800), .milliseconds(1600), .milliseconds(3200)])
            let next = try await group.next()
            #expect(next == "relisted()@5")
        }
    }

    @Test func emptyWatchThatEndsAtOnceBacksOffThenRelists() async throws {
        let w1 = FakeWatchStream()
        w1.close()
        let w2 = FakeWatchStream()
        w2.send(.added, configMap("late", rv: "12"))
        let script = Script(lists: [.success(listResponse([], rv: "10"))], watches: [.stream(w1), .stream(w2)])
        let fake = script.transport
        let clock = ManualClock()
        let watcher = KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).watcher(configuration: noJitter(clock))
        try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                var it = watcher.makeAsyncIterator()
                return [describe(try await it.next()), describe(try await it.next()), describe(try await it.next())]
            }
            try await clock.waitForSleepers(1)
            #expect(watchRVs(fake) == ["list@0", "watch@10"])
            clock.advanceToNextDeadline()
            let next = try await group.next()
            #expect(next == ["relisted()@10", "relisted()@10", "added(late)"])
            #expect(watchRVs(fake) == ["list@0", "watch@10", "list@10", "watch@10"], "a very short watch is an error: back off, then relist")
        }
    }

    @Test func brokenStreamRewatchesFromLastResourceVersionAfterBackoff() async throws {
        let w1 = FakeWatchStream()
        w1.send(.added, configMap("a", rv: "11"))
        w1.fail(KubeTransportError(.connectionClosed, "reset"))
        let w2 = FakeWatchStream()
        w2.send(.modified, configMap("a", rv: "13"))
        let script = Script(lists: [.success(listResponse([], rv: "10"))], watches: [.stream(w1), .stream(w2)])
        let fake = script.transport
        let clock = ManualClock()
        let watcher = KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).watcher(configuration: noJitter(clock))
        try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                var it = watcher.makeAsyncIterator()
                var out: [String] = []
                for _ in 0..<3 { out.append(describe(try await it.next())) }
                return out
            }
            try await clock.waitForSleepers(1)
            clock.advanceToNextDeadline()
            let next = try await group.next()
            #expect(next == ["relisted()@10", "added(a)", "modified(a)"])
            #expect(watchRVs(fake) == ["list@0", "watch@10", "watch@11"])
        }
    }

    @Test func otherErrorEventRelistsAfterBackoff() async throws {
        let w1 = FakeWatchStream()
        w1.error(code: 500, reason: StatusReason.internalError, message: "boom")
        let script = Script(lists: [.success(listResponse([], rv: "10")), .success(listResponse([], rv: "40"))], watches: [.stream(w1)])
        let fake = script.transport
        let clock = ManualClock()
        let watcher = KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).watcher(configuration: noJitter(clock))
        try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                var it = watcher.makeAsyncIterator()
                return [describe(try await it.next()), describe(try await it.next())]
            }
            try await clock.waitForSleepers(1)
            clock.advanceToNextDeadline()
            let next = try await group.next()
            #expect(next == ["relisted()@10", "relisted()@40"])
        }
    }

    @Test func cancellationEndsTheSequenceWhileWatching() async throws {
        let script = Script(lists: [.success(listResponse([], rv: "10"))], watches: [])
        let fake = script.transport
        let watcher = KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).watcher(configuration: noJitter(ManualClock()))
        try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                var it = watcher.makeAsyncIterator()
                _ = try await it.next()
                return describe(try await it.next())
            }
            try await waitUntil { fake.requests.count == 2 }
            group.cancelAll()
            let next = try await group.next()
            #expect(next == "end")
        }
    }

    @Test func pagedListIsFollowedToTheEnd() async throws {
        let fake = FakeKubeTransport(send: { req in
            if req.queryValue("continue") == nil {
                return listResponse([configMap("a", rv: "1")], rv: "50", continueToken: "next+page")
            }
            return listResponse([configMap("b", rv: "2")], rv: "50")
        })
        let list = try await KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).listAll(pageSize: 1)
        #expect(list.items.count == 2)
        #expect(list.resourceVersion == "50")
        #expect(fake.requests.map(\.encodedQuery) == ["limit=1", "limit=1&continue=next%2Bpage"])
    }

    @Test func expiredContinueTokenFallsBackToOneFullListAtTheRequestedVersion() async throws {
        let fake = FakeKubeTransport(send: { req in
            if req.queryValue("continue") != nil { return .status(410, reason: StatusReason.expired, message: "The provided continue parameter is too old") }
            if req.queryValue("limit") != nil { return listResponse([configMap("a", rv: "1")], rv: "50", continueToken: "next") }
            return listResponse([configMap("a", rv: "1"), configMap("b", rv: "2")], rv: "60")
        })
        let list = try await KubeClient(transport: fake).dynamic(configMapsGVR, namespaced: true).listAll(options: ListOptions(resourceVersion: "0"), pageSize: 1)
        #expect(list.items.count == 2)
        #expect(list.resourceVersion == "60")
        #expect(fake.requests.map(\.encodedQuery) == ["resourceVersion=0&limit=1", "limit=1&continue=next", "resourceVersion=0"])
    }
}
