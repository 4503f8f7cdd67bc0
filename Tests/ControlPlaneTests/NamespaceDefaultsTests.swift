import ConcordTesting
import Foundation
import KubernetesAPI
import Logging
import Testing

@testable import ControlPlane

/// Every namespace holds the `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap, as
/// kube-controller-manager keeps them: made when missing, made again when deleted, the CA put back when changed.
struct NamespaceDefaultsTests {
    static let options = try! WriteOptions(QueryParameters(["fieldManager": "test"]))
    static let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    static func key(_ resource: String, _ namespace: String, _ name: String) -> StorageKey {
        StorageKey(resource: resource, namespace: namespace, name: name)
    }

    @Test func everyNamespaceGetsTheDefaultServiceAccountAndTheRootCAAndKeepsThem() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("concord-ns-defaults-\(UUID().uuidString)").path
        defer { TemporaryFiles.remove(directory) }
        let store = try SQLiteObjectStore(directory: URL(fileURLWithPath: directory))
        let handler = ResourceHandler(store: store, registry: ResourceRegistry(), now: Date.init, logger: Logger(label: "concord.test.namespaces"))
        let namespaces = BuiltinResources.namespaceDefinition
        let configMaps = try #require(handler.registry.definition(storageResource: "configmaps"))
        let serviceAccounts = try #require(handler.registry.definition(storageResource: "serviceaccounts"))
        func namespace(_ name: String) -> JSONValue { ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]] }
        _ = try await handler.create(namespaces, namespace: nil, body: namespace("shop"), options: Self.options)
        let defaults = NamespaceDefaults(handler: handler, rootCA: Self.pem, clock: ContinuousClock(), logger: handler.logger)
        func rootCA(_ ns: String) async throws -> JSONValue? { try await store.get(Self.key("configmaps", ns, "kube-root-ca.crt"))?.object }
        func account(_ ns: String) async throws -> JSONValue? { try await store.get(Self.key("serviceaccounts", ns, "default"))?.object }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await defaults.run() }
            defer { group.cancelAll() }
            try await waitUntil("shop's default ServiceAccount and root CA") {
                let made = try await account("shop") != nil, published = try await rootCA("shop") != nil
                return made && published
            }
            let published = try #require(try await rootCA("shop"))
            #expect(published.value(at: ["data", "ca.crt"]) == .string(Self.pem))
            #expect(published.value(at: ["metadata", "annotations", "kubernetes.io/description"]) == .string(NamespaceDefaults.description))
            #expect(published.value(at: ["metadata", "managedFields"])?.arrayValue?.first?["manager"] == "kube-controller-manager")
            // A namespace created later gets them too.
            _ = try await handler.create(namespaces, namespace: nil, body: namespace("later"), options: Self.options)
            try await waitUntil("later's default ServiceAccount and root CA") {
                let made = try await account("later") != nil, published = try await rootCA("later") != nil
                return made && published
            }
            // Deleted, they come back; a changed CA is put back.
            _ = try await handler.delete(serviceAccounts, namespace: "shop", name: "default", options: DeleteOptions(), dryRun: false)
            try await waitUntil("the default ServiceAccount made again") { try await account("shop") != nil }
            _ = try await handler.write(configMaps, namespace: "shop", name: "kube-root-ca.crt", expectedRevision: nil, options: Self.options) {
                var o = $0
                o["data"] = ["ca.crt": "not the CA"]
                return o
            }
            try await waitUntil("the CA put back") { try await rootCA("shop")?.value(at: ["data", "ca.crt"]) == .string(Self.pem) }
            _ = try await handler.delete(configMaps, namespace: "shop", name: "kube-root-ca.crt", options: DeleteOptions(), dryRun: false)
            try await waitUntil("the root CA made again") { try await rootCA("shop") != nil }
            // A namespace being deleted is left alone, so its deletion finishes (a default made again while it
            // drains would hold it), and nothing is made for one that is gone.
            _ = try await handler.delete(namespaces, namespace: nil, name: "later", options: DeleteOptions(), dryRun: false)
            try await waitUntil("namespace later deleted") { try await store.get(Self.key("namespaces", "", "later")) == nil }
            #expect(await defaults.ensure("later"))
            #expect(try await account("later") == nil)
            #expect(try await rootCA("later") == nil)
        }
        try await store.close()
    }

    @Test func withoutACAOnlyTheServiceAccountIsMade() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("concord-ns-defaults-\(UUID().uuidString)").path
        defer { TemporaryFiles.remove(directory) }
        let store = try SQLiteObjectStore(directory: URL(fileURLWithPath: directory))
        let handler = ResourceHandler(store: store, registry: ResourceRegistry(), now: Date.init, logger: Logger(label: "concord.test.namespaces"))
        _ = try await handler.create(
            BuiltinResources.namespaceDefinition, namespace: nil, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]], options: Self.options)
        let defaults = NamespaceDefaults(handler: handler, rootCA: nil, clock: ContinuousClock(), logger: handler.logger)
        #expect(await defaults.ensure("shop"))
        #expect(try await store.get(Self.key("serviceaccounts", "shop", "default")) != nil)
        #expect(try await store.get(Self.key("configmaps", "shop", "kube-root-ca.crt")) == nil)
        try await store.close()
    }
}
