import ConcordTesting
import ControllerRuntime
import Foundation
import KubeClient
import KubernetesAPI
import Logging
import Testing

private func recordingHandler(_ log: EventLog) -> InformerEventHandler<JSONValue> {
    InformerEventHandler(
        onAdd: { log.append("add \(nameOf($0))") },
        onUpdate: { old, new in log.append("update \(nameOf(new)) \(old.value(at: ["metadata", "resourceVersion"])?.stringValue ?? "")->\(new.value(at: ["metadata", "resourceVersion"])?.stringValue ?? "")") },
        onDelete: { log.append("delete \(nameOf($0))") })
}

/// Runs the informer in a task group while `body` runs, then cancels it.
private func running<T: Sendable>(_ informer: DynamicInformer, _ body: @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            try await informer.run()
            return nil
        }
        let result = try await body()
        group.cancelAll()
        return result
    }
}

@Suite(.timeLimit(.minutes(1)))
struct InformerTests {
    @Test func firstListFillsTheCacheAndMarksSynced() async throws {
        let fake = FakeCollection(lists: [listResponse([configMap("a", rv: "1"), configMap("b", rv: "2", namespace: "other")], rv: "10")])
        let informer = DynamicInformer(fake.client, clock: ManualClock())
        let log = EventLog()
        informer.addEventHandler(recordingHandler(log))
        #expect(!informer.hasSynced)
        try await running(informer) {
            try await informer.waitForSync()
            #expect(informer.hasSynced)
            #expect(informer.cache.count == 2)
            #expect(informer.cache.get(name: "b", namespace: "other") != nil)
            #expect(Set(log.all) == ["add a", "add b"])
        }
    }

    @Test func watchEventsKeepTheCacheCurrent() async throws {
        let fake = FakeCollection(lists: [listResponse([configMap("a", rv: "1")], rv: "10")])
        let informer = DynamicInformer(fake.client, clock: ManualClock())
        let log = EventLog()
        informer.addEventHandler(recordingHandler(log))
        try await running(informer) {
            try await informer.waitForSync()
            try await waitUntil { fake.watchCount == 1 }
            let w = try #require(fake.currentWatch)
            w.send(.added, configMap("b", rv: "11"))
            w.send(.modified, configMap("a", rv: "12"))
            w.send(.deleted, configMap("b", rv: "13"))
            try await waitUntil { log.count == 4 }
            #expect(log.all == ["add a", "add b", "update a 1->12", "delete b"])
            #expect(informer.cache.keys == [ObjectKey(namespace: "default", name: "a")])
            #expect(informer.cache.get(name: "a", namespace: "default")?.value(at: ["metadata", "resourceVersion"]) == "12")
        }
    }

    @Test func relistAfterExpiryReplacesTheCacheAndDeletesVanishedObjects() async throws {
        let w1 = FakeWatchStream()
        let fake = FakeCollection(
            lists: [
                listResponse([configMap("keep", rv: "1"), configMap("vanish", rv: "2")], rv: "10"),
                listResponse([configMap("keep", rv: "20"), configMap("new", rv: "21")], rv: "30"),
            ],
            watches: [w1])
        let informer = DynamicInformer(fake.client, clock: ManualClock())
        let log = EventLog()
        informer.addEventHandler(recordingHandler(log))
        try await running(informer) {
            try await informer.waitForSync()
            w1.error(code: 410, reason: StatusReason.expired, message: "too old resource version")
            try await waitUntil { log.count == 5 }
            #expect(Array(log.all.dropFirst(2)) == ["add new", "update keep 1->20", "delete vanish"])
            #expect(informer.cache.keys.map(\.name) == ["keep", "new"])
        }
    }

    /// A failed watch leaves the cache possibly stale until the informer is watching again; a clean
    /// end of a watch or an expiry does not.
    @Test func aFailedWatchMarksTheInformerDisconnectedUntilItWatchesAgain() async throws {
        struct Refused: Error {}
        let w1 = FakeWatchStream(), w2 = FakeWatchStream(), w3 = FakeWatchStream()
        let fake = FakeCollection(lists: [listResponse([configMap("a", rv: "1")], rv: "10")], watches: [w1, w2, w3])
        let clock = ManualClock()
        let informer = DynamicInformer(fake.client, clock: clock)
        try await running(informer) {
            try await informer.waitForSync()
            try await waitUntil { fake.watchCount == 1 }
            #expect(informer.isConnected)
            w1.bookmark("11")
            w1.close()
            try await waitUntil { fake.watchCount == 2 }
            #expect(informer.isConnected)
            w2.fail(Refused())
            try await waitUntil { !informer.isConnected }
            // The retry waits on the injected clock: advance it until the informer watches again.
            try await waitUntil("the informer watching again after its backoff") {
                clock.advanceToNextDeadline()
                return fake.watchCount >= 3
            }
            try await waitUntil { informer.isConnected }
            w3.bookmark("12")
            w3.error(code: 410, reason: StatusReason.expired, message: "too old resource version")
            try await waitUntil { fake.watchCount == 4 }
            #expect(informer.isConnected)
        }
    }

    @Test func cacheIndexesByNamespaceLabelsAndCustomIndex() {
        let cache = InformerCache<JSONValue>(metadata: { JSONValue.objectMeta(of: $0) })
        cache.addIndex("app") { o in [JSONValue.objectMeta(of: o).labels?["app"]].compactMap { $0 } }
        _ = cache.replace(with: [
            configMap("a", rv: "1", namespace: "n1", labels: ["app": "web", "tier": "front"]),
            configMap("b", rv: "1", namespace: "n1", labels: ["app": "db"]),
            configMap("c", rv: "1", namespace: "n2", labels: ["app": "web"]),
        ])
        #expect(cache.list(namespace: "n1").map(nameOf) == ["a", "b"])
        #expect(cache.list(labelSelector: LabelSelector(matchLabels: ["app": "web"])).map(nameOf) == ["a", "c"])
        #expect(cache.list(namespace: "n2", labelSelector: LabelSelector(matchLabels: ["app": "web"])).map(nameOf) == ["c"])
        #expect(cache.list(labelSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "tier", operator: .exists)])).map(nameOf) == ["a"])
        #expect(cache.byIndex("app", "web").map(nameOf) == ["a", "c"])
        // Relabel b: both indexes follow.
        cache.upsert(configMap("b", rv: "2", namespace: "n1", labels: ["app": "web"]))
        #expect(cache.byIndex("app", "db").isEmpty)
        #expect(cache.list(labelSelector: LabelSelector(matchLabels: ["app": "web"])).map(nameOf) == ["a", "b", "c"])
        cache.remove(ObjectKey(namespace: "n1", name: "a"))
        #expect(cache.list(namespace: "n1").map(nameOf) == ["b"])
        #expect(cache.byIndex("app", "web").map(nameOf) == ["b", "c"])
    }

    @Test func resyncRedeliversEveryCachedObjectOnTheInjectedClock() async throws {
        let fake = FakeCollection(lists: [listResponse([configMap("a", rv: "1"), configMap("b", rv: "2")], rv: "10")])
        let clock = ManualClock()
        let informer = DynamicInformer(fake.client, resyncPeriod: .seconds(30), clock: clock)
        let log = EventLog()
        informer.addEventHandler(recordingHandler(log))
        try await running(informer) {
            try await informer.waitForSync()
            try await clock.waitForSleepers(1)
            #expect(log.count == 2)
            clock.advance(by: .seconds(30))
            try await waitUntil { log.count == 4 }
            #expect(Array(log.all.suffix(2)) == ["update a 1->1", "update b 2->2"])
        }
    }

    @Test func informerRestrictsListAndWatchToNamespaceAndSelector() async throws {
        let fake = FakeCollection(lists: [listResponse([], rv: "10")])
        let informer = DynamicInformer(fake.client, namespace: "team", options: ListOptions(labelSelector: "app=web"), clock: ManualClock())
        try await running(informer) {
            try await informer.waitForSync()
            try await waitUntil { fake.watchCount == 1 }
        }
        let reqs = fake.transport.requests
        #expect(reqs.allSatisfy { $0.path == "/api/v1/namespaces/team/configmaps" })
        #expect(reqs.allSatisfy { $0.queryValue("labelSelector") == "app=web" })
        #expect(reqs.last?.queryValue("resourceVersion") == "10")
    }

    @Test func aTransformReshapesEveryListedAndWatchedObjectBeforeTheCacheAndHandlersSeeIt() async throws {
        let fake = FakeCollection(lists: [listResponse([configMap("a", rv: "1")], rv: "10")])
        let informer = DynamicInformer(
            fake.client, namespace: nil, options: ListOptions(), resyncPeriod: nil, runtimeClock: RuntimeClock(ManualClock()),
            watcher: WatcherConfiguration(), metrics: nil, logger: Logger(label: "test"),
            transform: { object in
                var seen = object
                seen["data"] = ["seen": "yes"]
                return seen
            })
        let seenByHandlers = EventLog()
        informer.addEventHandler(
            InformerEventHandler(
                onAdd: { seenByHandlers.append("add \(nameOf($0)) \($0.value(at: ["data", "seen"])?.stringValue ?? "-")") },
                onUpdate: { _, new in seenByHandlers.append("update \(nameOf(new)) \(new.value(at: ["data", "seen"])?.stringValue ?? "-")") },
                onDelete: { seenByHandlers.append("delete \(nameOf($0)) \($0.value(at: ["data", "seen"])?.stringValue ?? "-")") }))
        try await running(informer) {
            try await informer.waitForSync()
            try await waitUntil { fake.watchCount == 1 }
            let w = try #require(fake.currentWatch)
            w.send(.added, configMap("b", rv: "11"))
            w.send(.modified, configMap("a", rv: "12"))
            w.send(.deleted, configMap("b", rv: "13"))
            try await waitUntil { seenByHandlers.count == 4 }
            #expect(seenByHandlers.all == ["add a yes", "add b yes", "update a yes", "delete b yes"])
            #expect(informer.cache.get(name: "a", namespace: "default")?.value(at: ["data", "seen"]) == "yes")
            #expect(informer.cache.get(name: "a", namespace: "default")?.value(at: ["metadata", "resourceVersion"]) == "12")
        }
    }
}
