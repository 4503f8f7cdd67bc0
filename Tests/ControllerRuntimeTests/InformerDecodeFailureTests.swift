import ConcordTesting
import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Testing

/// A ConfigMap whose `data` holds a number: valid JSON the typed decoder refuses.
private func brokenConfigMap(_ name: String, rv: String) -> JSONValue {
    var v = configMap(name, rv: rv)
    v["data"] = ["size": .int(3)]
    return v
}

private func recorder(_ log: EventLog) -> @Sendable (DecodeFailureEvent) async -> Void {
    { event in
        switch event {
        case .skipped(let bad, let resource): log.append("skipped \(resource.resource) \(bad.key) \(bad.fieldPath)")
        case .recovered(let key, let resource): log.append("recovered \(resource.resource) \(key)")
        }
    }
}

@Suite(.timeLimit(.minutes(1)))
struct InformerDecodeFailureTests {
    @Test func aBadObjectIsSkippedReportedOnceLeavesTheCacheAndComesBackWhenFixed() async throws {
        let w1 = FakeWatchStream()
        let fake = FakeCollection(
            lists: [
                listResponse([configMap("a", rv: "1"), brokenConfigMap("bad", rv: "2")], rv: "10"),
                listResponse([brokenConfigMap("a", rv: "12"), brokenConfigMap("bad", rv: "2")], rv: "20"),
            ],
            watches: [w1])
        let metrics = RuntimeMetrics()
        let informer = Informer(KubeClient(transport: fake.transport).resource(ConfigMap.self), clock: ManualClock(), metrics: metrics)
        let events = EventLog()
        informer.addEventHandler(InformerEventHandler(onAdd: { events.append("add \($0.metadata.name ?? "")") }, onUpdate: { _, _ in }, onDelete: { events.append("delete \($0.metadata.name ?? "")") }))
        let reports = EventLog()
        informer.addDecodeFailureHandler(recorder(reports))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await informer.run() }
            try await informer.waitForSync()
            #expect(informer.cache.keys.map(\.name) == ["a"], "the list yields the items that decode")
            #expect(reports.all == ["skipped configmaps default/bad data.size"])

            // Modified into an undecodable object: it leaves the cache as if deleted.
            w1.send(.modified, brokenConfigMap("a", rv: "12"))
            try await waitUntil { events.count == 2 }
            #expect(events.all == ["add a", "delete a"])
            #expect(informer.cache.count == 0)
            #expect(reports.all.last == "skipped configmaps default/a data.size")

            // A relist finds both still broken: nothing is reported again.
            w1.error(code: 410, reason: StatusReason.expired, message: "too old resource version")
            try await waitUntil { fake.watchCount == 2 }
            #expect(fake.transport.requests.filter { $0.queryValue("watch") == nil }.last?.queryValue("resourceVersion") == "12", "the relist is not older than the skipped event")
            #expect(reports.count == 2)

            // Fixed: it comes back as an add, and the handlers hear it recovered.
            try #require(fake.currentWatch).send(.modified, configMap("a", rv: "21"))
            try await waitUntil { events.count == 3 }
            #expect(events.all.last == "add a")
            #expect(reports.all.last == "recovered configmaps default/a")
            #expect(informer.cache.keys.map(\.name) == ["a"])
            group.cancelAll()
        }
        #expect(metrics.registry.exposition().contains(#"concord_informer_decode_errors_total{resource="configmaps"} 2"#))
    }

    @Test func aFactoryHandlerReachesEveryInformerAndEachProblemOnce() async throws {
        let fake = FakeCollection(lists: [listResponse([brokenConfigMap("bad", rv: "2")], rv: "10")])
        let metrics = RuntimeMetrics()
        let factory = SharedInformerFactory(client: KubeClient(transport: fake.transport), clock: ManualClock(), metrics: metrics)
        let reports = EventLog()
        factory.addDecodeFailureHandler(recorder(reports))
        let informer = factory.informer(for: ConfigMap.self)
        #expect(metrics.registry.exposition().contains(#"concord_informer_decode_errors_total{resource="configmaps"} 0"#), "the series starts at zero")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await factory.run() }
            try await informer.waitForSync()
            #expect(informer.cache.count == 0)
            #expect(reports.all == ["skipped configmaps default/bad data.size"])
            group.cancelAll()
        }
    }
}
