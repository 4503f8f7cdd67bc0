import ConcordTesting
import FederationAPI
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `concord controller` serves `/readyz` (503 until its caches sync) and `/metrics` with
/// controller-runtime's names and the federation metrics.
@Suite(.serialized) struct MetricsEndToEndTests {
    @Test func readyzWaitsForCachesAndMetricsDescribeTheRun() async throws {
        let dir = try makeTempDirectory("concord-metrics")
        defer { removeTestDirectory(dir) }
        // No CRDs yet: the Datacenter informer cannot list, so the caches cannot sync.
        let hub = try await RuntimeHub.start(in: dir, installingCRDs: false)
        let controller = try hub.controller("controller", [
            "--leader-elect", "--leader-election-namespace", FederationGroup.systemNamespace,
            "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0",
        ])
        defer { controller.signal(SIGKILL) }
        var probePort: Int?
        var metricsPort: Int?
        #expect(await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
            probePort = controller.servingPort("health probe")
            metricsPort = controller.servingPort("metrics")
            return probePort != nil && metricsPort != nil
        }, "\(controller.log)")
        let probes = try #require(probePort)
        let metricsAt = try #require(metricsPort)
        #expect(try await httpGet(port: probes, "/healthz").code == 200)
        #expect(try await httpGet(port: probes, "/readyz").code == 503)

        try await hub.installCRDs()
        try await hub.register("self", region: "local-1", memberKubeconfig: hub.server.kubeconfig)
        // Before the controller listens, the connection is refused: not ready yet.
        let ready = await eventually(timeout: .seconds(40), every: .milliseconds(100)) {
            do { return try await httpGet(port: probes, "/readyz").code == 200 } catch { return false }
        }
        #expect(ready, "\(controller.log)")
        #expect(await eventually(timeout: .seconds(30), every: .milliseconds(100)) { await hub.status("self")?.phase == .ready }, "\(controller.log)")

        var s: [String: Double] = [:]
        var text = ""
        #expect(await eventually(timeout: .seconds(10), every: .milliseconds(100)) {
            guard let r = try? await httpGet(port: metricsAt, "/metrics"), r.code == 200 else { return false }
            text = r.body
            s = metricSamples(text)
            return (s[#"concord_probe_latency_seconds_count{datacenter="self"}"#] ?? 0) >= 3
        }, "\(text)")
        let dc = #"controller="datacenter""#
        let queue = #"controller="datacenter",name="datacenter""#
        let host = "127.0.0.1:\(hub.server.port)"
        #expect((s["controller_runtime_reconcile_total{\(dc),result=\"success\"}"] ?? 0) + (s["controller_runtime_reconcile_total{\(dc),result=\"requeue_after\"}"] ?? 0) >= 2)
        #expect(s["controller_runtime_reconcile_errors_total{\(dc)}"] != nil)
        #expect((s["controller_runtime_reconcile_time_seconds_count{\(dc)}"] ?? 0) >= 2)
        #expect((s["workqueue_adds_total{\(queue)}"] ?? 0) >= 2)
        #expect(s["workqueue_depth{\(queue)}"] != nil)
        #expect((s["workqueue_queue_duration_seconds_count{\(queue)}"] ?? 0) >= 2)
        #expect((s["workqueue_work_duration_seconds_count{\(queue)}"] ?? 0) >= 2)
        #expect(s["workqueue_retries_total{\(queue)}"] != nil)
        #expect(s[#"leader_election_master_status{name="concord-controller"}"#] == 1)
        #expect((s["rest_client_requests_total{code=\"200\",method=\"GET\",host=\"\(host)\"}"] ?? 0) >= 1)
        #expect((s["rest_client_requests_total{code=\"200\",method=\"PUT\",host=\"\(host)\"}"] ?? 0) >= 1, "lease renewals and status writes")
        #expect(s[#"concord_datacenters{phase="Ready"}"#] == 1)
        #expect(s[#"concord_datacenters{phase="Unreachable"}"#] == 0)
        // Events (events.k8s.io/v1): the phase change on the Datacenter, the election on the Lease.
        let events = hub.client.resource(Event.self)
        #expect(await eventually(timeout: .seconds(10), every: .milliseconds(100)) {
            let list = (try? await events.list(namespace: "default").items) ?? []
            return list.contains { $0.reason == "DatacenterReady" && $0.regarding?.name == "self" && $0.type == Event.normal }
        })
        let electionEvents = try await events.list(namespace: FederationGroup.systemNamespace).items
        #expect(electionEvents.contains { $0.reason == "LeaderElection" && ($0.note ?? "").hasSuffix("became leader") && $0.regarding?.kind == "Lease" }, "\(electionEvents)")
        let described = try await hub.kubectl("get", "events.events.k8s.io", "-A")
        print("events:\n\(described.stdout)")

        let sample = text.split(separator: "\n").filter { line in
            !line.hasPrefix("#") && !line.contains("_bucket{")
        }.joined(separator: "\n")
        print("metrics sample:\n\(sample)")

        controller.signal(SIGTERM)
        #expect(await controller.waitForExit(timeout: .seconds(20)) == 0, "\(controller.log)")
        await hub.stop()
    }
}
