import ConcordTesting
import Foundation
import KubernetesAPI
import Logging
import Testing

@testable import ControlPlane

/// The `kubernetes` Service, Endpoints and EndpointSlice in `default`, as kube-apiserver keeps them for
/// itself: there from the start over both storages, naming the server's address and port, and put back
/// when their ports or addresses are changed or they are deleted.
struct KubernetesServiceTests {
    static let options = try! WriteOptions(QueryParameters(["fieldManager": "test"]))

    /// Runs `body` with a bootstrapped handler over a SQLite store of its own, closed afterwards.
    static func withHandler(_ body: (SQLiteObjectStore, ResourceHandler) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("concord-kubernetes-service-\(UUID().uuidString)").path
        defer { TemporaryFiles.remove(directory) }
        let store = try SQLiteObjectStore(directory: URL(fileURLWithPath: directory))
        let handler = ResourceHandler(store: store, registry: ResourceRegistry(), now: Date.init, logger: Logger(label: "concord.test.kubernetes-service"))
        _ = try await Bootstrap.run(handler)
        do {
            try await body(store, handler)
        } catch {
            try await store.close()
            throw error
        }
        try await store.close()
    }

    @Test(arguments: TestStorage.allCases) func aNewServerServesItsOwnServiceAndEndpoints(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            try await waitUntil("the kubernetes EndpointSlice") {
                try await client.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes").status == 200
            }
            let service = try await client.get("/api/v1/namespaces/default/services/kubernetes").json
            #expect(service.value(at: ["metadata", "labels"]) == ["component": "apiserver", "provider": "kubernetes"])
            #expect(service.value(at: ["spec", "clusterIP"]) == "10.96.0.1")
            #expect(service.value(at: ["spec", "ports"]) == [["name": "https", "port": 443, "protocol": "TCP", "targetPort": .int(Int64(plane.port))]])
            let endpoints = try await client.get("/api/v1/namespaces/default/endpoints/kubernetes").json
            #expect(endpoints["subsets"] == [["addresses": [["ip": "127.0.0.1"]], "ports": [["name": "https", "port": .int(Int64(plane.port)), "protocol": "TCP"]]]])
            let slice = try await client.get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes").json
            #expect(slice.value(at: ["metadata", "labels", "kubernetes.io/service-name"]) == "kubernetes")
            #expect(slice["addressType"] == "IPv4")
            #expect(slice["endpoints"] == [["addresses": ["127.0.0.1"], "conditions": ["ready": true]]])
            #expect(slice["ports"] == [["name": "https", "port": .int(Int64(plane.port)), "protocol": "TCP"]])
        }
    }

    @Test func changedOrDeletedTheyArePutBackAndOtherChangesStay() async throws {
        try await Self.withHandler { store, handler in
            let services = try #require(handler.registry.definition(storageResource: "services"))
            let slices = try #require(handler.registry.definition(storageResource: "endpointslices.discovery.k8s.io"))
            let reconciler = KubernetesServiceReconciler(
                handler: handler, ip: "10.1.2.3", port: ListeningPort(6443), clock: ContinuousClock(), interval: .milliseconds(50), logger: handler.logger)
            func get(_ resource: String) async throws -> JSONValue? {
                try await store.get(StorageKey(resource: resource, namespace: "default", name: "kubernetes"))?.object
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await reconciler.run() }
                defer { group.cancelAll() }
                try await waitUntil("the Service, Endpoints and EndpointSlice") {
                    let service = try await get("services"), endpoints = try await get("endpoints")
                    let slice = try await get("endpointslices.discovery.k8s.io")
                    return service != nil && endpoints != nil && slice != nil
                }
                #expect(try await get("endpoints")?.value(at: ["subsets"]) == [["addresses": [["ip": "10.1.2.3"]], "ports": [["name": "https", "port": 6443, "protocol": "TCP"]]]])
                #expect(try await get("services")?.value(at: ["metadata", "managedFields"])?.arrayValue?.first?["manager"] == "kube-apiserver")
                // Ports changed and a label added: the ports are put back, the label stays.
                _ = try await handler.write(services, namespace: "default", name: "kubernetes", expectedRevision: nil, options: Self.options) {
                    var o = $0
                    o.setValue([["name": "https", "port": 8443, "protocol": "TCP", "targetPort": 1]], at: ["spec", "ports"])
                    o.setValue("yes", at: ["metadata", "labels", "mine"])
                    return o
                }
                try await waitUntil("the Service's ports put back") {
                    try await get("services")?.value(at: ["spec", "ports"]) == [["name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443]]
                }
                #expect(try await get("services")?.value(at: ["metadata", "labels", "mine"]) == "yes")
                // Deleted, the EndpointSlice comes back.
                _ = try await handler.delete(slices, namespace: "default", name: "kubernetes", options: DeleteOptions(), dryRun: false)
                try await waitUntil("the EndpointSlice made again") { try await get("endpointslices.discovery.k8s.io") != nil }
            }
        }
    }

    @Test func aServiceHoldingTheFirstAddressKeepsItAndTheEndpointsAreStillWritten() async throws {
        try await Self.withHandler { store, handler in
            let services = try #require(handler.registry.definition(storageResource: "services"))
            _ = try await handler.create(
                services, namespace: "default",
                body: ["apiVersion": "v1", "kind": "Service", "metadata": ["name": "early"], "spec": ["clusterIP": "10.96.0.1", "ports": [["port": 80]]]],
                options: Self.options)
            let reconciler = KubernetesServiceReconciler(
                handler: handler, ip: "127.0.0.1", port: ListeningPort(6443), clock: ContinuousClock(), logger: handler.logger)
            await #expect(throws: APIError.self) { try await reconciler.reconcile(ip: "127.0.0.1", port: 6443) }
            #expect(try await store.get(StorageKey(resource: "services", namespace: "default", name: "kubernetes")) == nil)
            #expect(try await store.get(StorageKey(resource: "endpoints", namespace: "default", name: "kubernetes")) != nil)
            #expect(try await store.get(StorageKey(resource: "endpointslices.discovery.k8s.io", namespace: "default", name: "kubernetes")) != nil)
            #expect(try await store.get(StorageKey(resource: "services", namespace: "default", name: "early"))?.object.value(at: ["spec", "clusterIP"]) == "10.96.0.1")
        }
    }

    @Test func theEndpointsNameTheBoundAddressOrLoopback() {
        #expect(KubernetesServiceReconciler.address(bound: "127.0.0.1") == "127.0.0.1")
        #expect(KubernetesServiceReconciler.address(bound: "192.168.1.7") == "192.168.1.7")
        #expect(KubernetesServiceReconciler.address(bound: "0.0.0.0") == "127.0.0.1")
        #expect(KubernetesServiceReconciler.address(bound: "::") == "127.0.0.1")
        #expect(KubernetesServiceReconciler.address(bound: "::1") == "::1")
        #expect(KubernetesServiceReconciler.address(bound: "localhost") == "127.0.0.1")
        #expect(KubernetesServiceReconciler.endpointSlice(ip: "::1", port: 1)["addressType"] == "IPv6")
    }
}
