import ConcordTesting
import ControllerRuntime
import Foundation
import KubeClient
import KubernetesAPI
import Testing

/// A ConfigMap, typed, for tests against the real control plane.
struct PlaneConfigMap: KubeResource, Equatable {
    static let groupVersionResource = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let kind = "ConfigMap"
    static let isNamespaced = true
    var apiVersion: String? = "v1"
    var kind: String? = "ConfigMap"
    var metadata: ObjectMeta
    var data: [String: String]?
}

/// Copies `data.input` into `data.echo` for ConfigMaps labelled `app=echo`, reading from the cache.
struct EchoReconciler: Reconciler {
    let cache: InformerCache<PlaneConfigMap>
    let writer: ResourceClient<PlaneConfigMap>

    func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        guard var cm = cache.get(key) else { return .done }
        let input = cm.data?["input"]
        guard cm.data?["echo"] != input else { return .done }
        cm.data?["echo"] = input
        _ = try await writer.update(cm)
        return .done
    }
}

/// The `echo` value of a ConfigMap, or nil when it cannot be read (yet).
private func echo(_ cms: ResourceClient<PlaneConfigMap>, _ name: String) async -> String? {
    do {
        return try await cms.get(name, namespace: "default").data?["echo"]
    } catch {
        return nil
    }
}

private func withPlaneClient<T: Sendable>(_ body: (KubeClient) async throws -> T) async throws -> T {
    try await withTestControlPlane { plane in
        let client = try KubeClient(kubeconfigPath: plane.kubeconfigPath, environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try await client.shutdown()
            throw error
        }
    }
}

@Suite(.timeLimit(.minutes(2)))
struct ControllerRuntimeIntegrationTests {
    @Test func informerSyncsAndFollowsChanges() async throws {
        try await withPlaneClient { client in
            let cms = client.resource(PlaneConfigMap.self)
            _ = try await cms.create(PlaneConfigMap(metadata: ObjectMeta(name: "one", namespace: "default", labels: ["app": "x"])))
            _ = try await cms.create(PlaneConfigMap(metadata: ObjectMeta(name: "two", namespace: "default")))
            let informer = Informer(cms, namespace: "default")
            let log = EventLog()
            informer.addEventHandler(InformerEventHandler(onAdd: { log.append("add \($0.metadata.name ?? "")") }, onDelete: { log.append("delete \($0.metadata.name ?? "")") }))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await informer.run() }
                try await informer.waitForSync()
                #expect(informer.cache.keys.map(\.name) == ["one", "two"])
                #expect(informer.cache.list(labelSelector: LabelSelector(matchLabels: ["app": "x"])).map(\.metadata.name) == ["one"])
                _ = try await cms.create(PlaneConfigMap(metadata: ObjectMeta(name: "three", namespace: "default")))
                try await cms.delete("one", namespace: "default")
                try await waitUntil { informer.cache.keys.map(\.name) == ["three", "two"] }
                try await waitUntil { log.all.contains("delete one") && log.all.contains("add three") }
                group.cancelAll()
            }
        }
    }

    @Test func toyReconcilerRunsEndToEnd() async throws {
        try await withPlaneClient { client in
            let cms = client.resource(PlaneConfigMap.self)
            let informer = Informer(cms, namespace: "default", options: ListOptions(labelSelector: "app=echo"))
            let controller = Controller(name: "echo", reconciler: EchoReconciler(cache: informer.cache, writer: cms), workers: 2)
            controller.watch(informer)
            let manager = Manager()
            manager.add(controller: controller)
            _ = try await cms.create(PlaneConfigMap(metadata: ObjectMeta(name: "e1", namespace: "default", labels: ["app": "echo"]), data: ["input": "hello"]))
            _ = try await cms.create(PlaneConfigMap(metadata: ObjectMeta(name: "ignored", namespace: "default"), data: ["input": "nope"]))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await manager.run(handlingSignals: false) }
                try await waitUntil { await echo(cms, "e1") == "hello" }
                // A change made after start is reconciled too.
                var e1 = try await cms.get("e1", namespace: "default")
                e1.data?["input"] = "world"
                _ = try await cms.update(e1)
                try await waitUntil { await echo(cms, "e1") == "world" }
                _ = try await cms.create(PlaneConfigMap(metadata: ObjectMeta(name: "e2", namespace: "default", labels: ["app": "echo"]), data: ["input": "new"]))
                try await waitUntil { await echo(cms, "e2") == "new" }
                await manager.shutdown()
                try await group.next()
            }
            let ignored = try await cms.get("ignored", namespace: "default")
            #expect(ignored.data?["echo"] == nil)
        }
    }
}
