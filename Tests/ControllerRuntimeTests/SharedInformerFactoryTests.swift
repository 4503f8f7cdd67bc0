import ConcordTesting
import ControllerRuntime
import Foundation
import KubeClient
import KubernetesAPI
import Synchronization
import Testing

@Suite(.timeLimit(.minutes(1)))
struct SharedInformerFactoryTests {
    @Test func sameResourceNamespaceAndSelectorShareOneInformer() {
        let factory = SharedInformerFactory(client: KubeClient(transport: FakeKubeTransport()))
        let a = factory.dynamicInformer(configMapsGVR, namespaced: true)
        let b = factory.dynamicInformer(configMapsGVR, namespaced: true)
        let team = factory.dynamicInformer(configMapsGVR, namespaced: true, namespace: "team")
        let web = factory.dynamicInformer(configMapsGVR, namespaced: true, options: ListOptions(labelSelector: "app=web"))
        #expect(a === b)
        #expect(a !== team)
        #expect(a !== web)
        #expect(team === factory.dynamicInformer(configMapsGVR, namespaced: true, namespace: "team"))
        #expect(factory.all.count == 3)
    }

    @Test func twoControllersWatchingOneKindOpenOneListAndOneWatch() async throws {
        let fake = FakeCollection(lists: [listResponse([configMap("a", rv: "1"), configMap("b", rv: "2")], rv: "10")])
        let factory = SharedInformerFactory(client: KubeClient(transport: fake.transport))
        let first = ScriptedReconciler()
        let second = ScriptedReconciler()
        let c1 = Controller(name: "first", reconciler: first)
        let c2 = Controller(name: "second", reconciler: second)
        c1.watch(factory.dynamicInformer(configMapsGVR, namespaced: true))
        c2.watch(factory.dynamicInformer(configMapsGVR, namespaced: true))
        let manager = Manager()
        manager.add(cache: factory)
        manager.add(controller: c1)
        manager.add(controller: c2)
        #expect(!manager.hasSynced)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await manager.run(handlingSignals: false) }
            try await waitUntil { first.callCount == 2 && second.callCount == 2 && fake.watchCount == 1 }
            #expect(manager.hasSynced)
            #expect(factory.hasSynced)
            fake.currentWatch?.send(.modified, configMap("a", rv: "11"))
            try await waitUntil { first.callCount == 3 && second.callCount == 3 }
            await manager.shutdown()
            try await group.next()
        }
        let requests = fake.transport.requests.map { $0.queryValue("watch") == "true" ? "watch" : "list" }
        #expect(requests == ["list", "watch"], "one list and one watch for both controllers")
    }

    @Test func informerAskedForAfterTheManagerStartedRunsAtOnce() async throws {
        let fake = FakeCollection(lists: [listResponse([configMap("late", rv: "3")], rv: "10")])
        let factory = SharedInformerFactory(client: KubeClient(transport: fake.transport))
        let manager = Manager()
        manager.add(cache: factory)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await manager.run(handlingSignals: false) }
            try await waitUntil { manager.hasSynced }
            #expect(fake.transport.requests.isEmpty, "nothing was asked for yet")
            let late = factory.dynamicInformer(configMapsGVR, namespaced: true)
            try await late.waitForSync()
            #expect(late.cache.list().map(nameOf) == ["late"])
            try await waitUntil { fake.watchCount == 1 }
            await manager.shutdown()
            try await group.next()
        }
        #expect(fake.transport.requests.count == 2, "one list and one watch")
    }

    @Test func customIndexRegisteredOnASharedInformerServesEveryReader() async throws {
        let fake = FakeCollection(lists: [listResponse([configMap("a", rv: "1", labels: ["tier": "db"]), configMap("b", rv: "2", labels: ["tier": "web"]), configMap("c", rv: "3", labels: ["tier": "db"])], rv: "10")])
        let factory = SharedInformerFactory(client: KubeClient(transport: fake.transport))
        factory.dynamicInformer(configMapsGVR, namespaced: true).cache.addIndex("tier") { o in
            [o.value(at: ["metadata", "labels", "tier"])?.stringValue ?? ""]
        }
        let reader = factory.dynamicInformer(configMapsGVR, namespaced: true)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await reader.run() }
            try await factory.waitForSync()
            #expect(reader.cache.byIndex("tier", "db").map(nameOf) == ["a", "c"])
            #expect(reader.cache.list(labelSelector: LabelSelector(matchLabels: ["tier": "web"])).map(nameOf) == ["b"])
            group.cancelAll()
        }
    }

    @Test func resyncPeriodIsSpreadPerInformer() {
        let factors = Mutex([0.9, 1.0999])
        let factory = SharedInformerFactory(
            client: KubeClient(transport: FakeKubeTransport()), resyncPeriod: .seconds(36_000),
            resyncJitter: { factors.withLock { $0.removeFirst() } })
        let a = factory.dynamicInformer(configMapsGVR, namespaced: true)
        let b = factory.dynamicInformer(configMapsGVR, namespaced: true, namespace: "other")
        #expect(a.resyncPeriod == .seconds(32_400))
        #expect(b.resyncPeriod == .milliseconds(39_596_400))
    }
}
