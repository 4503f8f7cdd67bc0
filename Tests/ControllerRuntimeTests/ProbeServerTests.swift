import ConcordTesting
import ControllerRuntime
import Foundation
import KubeClient
import KubernetesAPI
import Testing

/// GETs `path` from a local server; returns the status code and body.
func httpGet(_ port: Int, _ path: String) async throws -> (Int, String) {
    let client = try KubeClient(configuration: ClientConfiguration(server: URL(string: "http://127.0.0.1:\(port)")!))
    do {
        let r = try await client.transport.send(KubeRequest(method: .get, path: path, accept: "*/*"))
        try await client.shutdown()
        return (r.statusCode, String(decoding: r.body, as: UTF8.self))
    } catch {
        try await client.shutdown()
        throw error
    }
}

@Suite(.timeLimit(.minutes(1)))
struct ProbeServerTests {
    @Test func readyzIs503UntilCachesSyncThen200AndMetricsAreServed() async throws {
        let listAllowed = SyncGate()
        let transport = FakeKubeTransport(
            send: { _ in
                try await listAllowed.wait()
                return listResponse([configMap("a", rv: "1")], rv: "10")
            },
            stream: { _ in FakeWatchStream().response })
        let informer = DynamicInformer(KubeClient(transport: transport).dynamic(configMapsGVR, namespaced: true))
        let metrics = RuntimeMetrics()
        let controller = Controller(name: "probe", reconciler: ReconcilerFunction { _ in .done }, observer: metrics)
        controller.watch(informer)
        let manager = Manager()
        manager.add(controller: controller)
        let probes = manager.serveHealthProbes(at: ServerAddress(host: "127.0.0.1", port: 0))
        let metricsServer = manager.serveMetrics(metrics.registry, at: ServerAddress(host: "127.0.0.1", port: 0))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await manager.run(handlingSignals: false) }
            let port = try await probes.boundPort()
            #expect(try await httpGet(port, "/healthz") == (200, "ok"))
            let (code, body) = try await httpGet(port, "/readyz")
            #expect(code == 503)
            #expect(body.contains("not synced"))
            #expect(try await httpGet(port, "/nope").0 == 404)
            listAllowed.open()
            try await waitUntil { manager.hasSynced }
            #expect(try await httpGet(port, "/readyz") == (200, "ok"))
            try await waitUntil { samples(metrics.registry.exposition())[#"controller_runtime_reconcile_total{controller="probe",result="success"}"#] == 1 }
            let (metricsCode, text) = try await httpGet(try await metricsServer.boundPort(), "/metrics")
            #expect(metricsCode == 200)
            #expect(text.contains("# TYPE controller_runtime_reconcile_total counter"))
            #expect(samples(text)[#"workqueue_adds_total{controller="probe",name="probe"}"#] == 1)
            await manager.shutdown()
            try await group.next()
        }
    }
}
