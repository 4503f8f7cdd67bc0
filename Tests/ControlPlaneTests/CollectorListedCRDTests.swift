import ConcordTesting
import Foundation
import KubernetesAPI
import Logging
import Testing

@testable import ControlPlane

/// A CRD the collector first sees in a list (created before its first list of CRDs, or while its CRD watch
/// was away) gives no ADDED event: the list itself must make the collector follow the CRD's resource.
struct CollectorListedCRDTests {
    static let options = try! WriteOptions(QueryParameters(["fieldManager": "test"]))

    static func definition(_ registry: ResourceRegistry, _ group: String, _ version: String, _ plural: String) throws -> ResourceDefinition {
        try #require(registry.lookup(group: group, version: version, plural: plural))
    }

    @Test func aCRDPresentAtTheFirstListIsFollowed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("concord-gc-crd-\(UUID().uuidString)").path
        defer { TemporaryFiles.remove(directory) }
        let store = try SQLiteObjectStore(directory: URL(fileURLWithPath: directory))
        let logger = Logger(label: "concord.test.collector")
        // A writer whose registry serves widgets stores the CRD, a widget and a ConfigMap the widget owns.
        let writer = ResourceHandler(store: store, registry: ResourceRegistry(), now: Date.init, logger: logger)
        let crds = try Self.definition(writer.registry, "apiextensions.k8s.io", "v1", "customresourcedefinitions")
        let configMaps = try Self.definition(writer.registry, "", "v1", "configmaps")
        let namespaces = try Self.definition(writer.registry, "", "v1", "namespaces")
        _ = try await writer.create(namespaces, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "default"]], options: Self.options)
        let (crd, _) = try await writer.create(crds, namespace: nil, body: Fixtures.widgetCRD, options: Self.options)
        let widgets = try Self.definition(writer.registry, "example.com", "v1", "widgets")
        let (w1, _) = try await writer.create(widgets, namespace: "default", body: Fixtures.widget("w1"), options: Self.options)
        _ = try await writer.create(
            configMaps, namespace: "default", body: GarbageCollectionTests.dependent("of-w1", owners: [w1]), options: Self.options)
        // The collector's server does not serve widgets yet when the collector starts.
        let handler = ResourceHandler(store: store, registry: ResourceRegistry(), now: Date.init, logger: logger)
        let collector = GarbageCollector(handler: handler, clock: ContinuousClock(), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await collector.run() }
            defer { group.cancelAll() }
            // A dependent of nothing is collected: the collector has started and listed ConfigMaps.
            var gone = Fixtures.configMap("gone")
            gone.setValue("00000000-0000-4000-8000-00000000dead", at: ["metadata", "uid"])
            _ = try await handler.create(
                configMaps, namespace: "default", body: GarbageCollectionTests.dependent("probe", owners: [gone]), options: Self.options)
            try await waitUntil("the collector to collect the probe") {
                try await store.get(StorageKey(resource: "configmaps", namespace: "default", name: "probe")) == nil
            }
            // Now the server serves widgets (as the CRD's install would), and w1 is deleted.
            handler.registry.install(crd: crd, revision: 1)
            _ = try await handler.delete(widgets, namespace: "default", name: "w1", options: DeleteOptions(), dryRun: false)
            try await waitUntil("of-w1 collected after its owner w1, of a CRD the collector first saw in a list, was deleted") {
                try await store.get(StorageKey(resource: "configmaps", namespace: "default", name: "of-w1")) == nil
            }
        }
        try await store.close()
    }
}

/// Servers and followers read the store at different moments: a change the registry applies must never be
/// older than one it applied already for the same CRD.
struct RegistryRevisionOrderTests {
    @Test func aLateRemovalOrInstallDoesNotUndoANewerState() throws {
        let registry = ResourceRegistry()
        var crd = Fixtures.widgetCRD
        registry.install(crd: crd, revision: 10)
        // The deletion of an older incarnation, learned late, leaves the re-created CRD served.
        registry.remove(crdNamed: "widgets.example.com", revision: 7)
        #expect(registry.lookup(group: "example.com", version: "v1", plural: "widgets") != nil)
        registry.remove(crdNamed: "widgets.example.com", revision: 12)
        #expect(registry.lookup(group: "example.com", version: "v1", plural: "widgets") == nil)
        // A read from before that deletion does not bring it back; a newer creation does.
        registry.install(crd: crd, revision: 10)
        #expect(registry.lookup(group: "example.com", version: "v1", plural: "widgets") == nil)
        var versions = try #require(crd.value(at: ["spec", "versions"])?.arrayValue)
        versions[0]["name"] = "v2"
        crd.setValue(.array(versions), at: ["spec", "versions"])
        registry.install(crd: crd, revision: 15)
        #expect(registry.lookup(group: "example.com", version: "v2", plural: "widgets") != nil)
        registry.install(crd: Fixtures.widgetCRD, revision: 13)
        #expect(registry.lookup(group: "example.com", version: "v2", plural: "widgets") != nil, "an older version of the CRD replaced a newer one")
    }
}
