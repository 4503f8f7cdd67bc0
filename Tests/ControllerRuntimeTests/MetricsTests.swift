import ConcordTesting
@testable import ControllerRuntime
import Foundation
import KubeClient
import KubernetesAPI
import Testing

/// Samples of a Prometheus text exposition: `name{labels}` → value.
func samples(_ text: String) -> [String: Double] {
    var out: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
        out[String(line[..<space])] = value
    }
    return out
}

@Suite(.timeLimit(.minutes(1)))
struct MetricsTests {
    @Test func reconcileOutcomesAreCountedWithControllerRuntimesNamesAndLabels() async throws {
        let metrics = RuntimeMetrics()
        let key = ObjectKey(name: "a")
        let rec = ScriptedReconciler([key: [.success(.done), .success(.requeue(after: .seconds(5))), .failure(Boom()), .failure(TerminalError(Boom()))]])
        let controller = Controller(name: "widget", reconciler: rec, workers: 3, clock: ManualClock(), observer: metrics)
        for _ in 0..<4 { await controller.handle(key) }
        let s = samples(metrics.registry.exposition())
        #expect(s[#"controller_runtime_reconcile_total{controller="widget",result="success"}"#] == 1)
        #expect(s[#"controller_runtime_reconcile_total{controller="widget",result="requeue_after"}"#] == 1)
        #expect(s[#"controller_runtime_reconcile_total{controller="widget",result="error"}"#] == 2)
        #expect(s[#"controller_runtime_reconcile_total{controller="widget",result="requeue"}"#] == 0)
        #expect(s[#"controller_runtime_reconcile_errors_total{controller="widget"}"#] == 2)
        #expect(s[#"controller_runtime_terminal_reconcile_errors_total{controller="widget"}"#] == 1)
        #expect(s[#"controller_runtime_reconcile_time_seconds_count{controller="widget"}"#] == 4)
        #expect(s[#"controller_runtime_max_concurrent_reconciles{controller="widget"}"#] == 3)
        #expect(s[#"workqueue_retries_total{controller="widget",name="widget"}"#] == 1)
    }

    @Test func workQueueReportsAddsDepthAndDurations() async throws {
        let metrics = RuntimeMetrics()
        let clock = ManualClock()
        let observer = metrics.controllerCreated("q", workers: 1)
        let queue = WorkQueue<String>(clock: clock, observer: observer)
        await queue.add("a")
        await queue.add("a")  // a duplicate is not an add
        await queue.add("b")
        var s = samples(metrics.registry.exposition())
        #expect(s[#"workqueue_adds_total{controller="q",name="q"}"#] == 2)
        #expect(s[#"workqueue_depth{controller="q",name="q"}"#] == 2)
        clock.advance(by: .milliseconds(30))
        #expect(await queue.get() == "a")
        clock.advance(by: .milliseconds(200))
        await queue.done("a")
        s = samples(metrics.registry.exposition())
        #expect(s[#"workqueue_depth{controller="q",name="q"}"#] == 1)
        #expect(s[#"workqueue_queue_duration_seconds_count{controller="q",name="q"}"#] == 1)
        #expect(s[#"workqueue_queue_duration_seconds_sum{controller="q",name="q"}"#] == 0.03)
        #expect(s[#"workqueue_work_duration_seconds_sum{controller="q",name="q"}"#] == 0.2)
        #expect(s[#"workqueue_work_duration_seconds_bucket{controller="q",name="q",le="0.1"}"#] == 0)
        #expect(s[#"workqueue_work_duration_seconds_bucket{controller="q",name="q",le="1.0"}"#] == 1)
    }

    @Test func restClientRequestsAreCountedByCodeMethodAndHost() async throws {
        let metrics = RuntimeMetrics()
        let fake = FakeKubeTransport(send: { r in
            if r.path.hasSuffix("/boom") { throw KubeTransportError(.connectionRefused, "refused") }
            return .status(404, reason: StatusReason.notFound, message: "nope")
        })
        let client = KubeClient(transport: InstrumentedTransport(base: fake, host: "10.0.0.1:6443", observer: metrics))
        for _ in 0..<2 { _ = try await client.transport.send(KubeRequest(method: .get, path: "/api/v1/namespaces/x")) }
        await #expect(throws: KubeTransportError.self) { try await client.transport.send(KubeRequest(method: .post, path: "/boom")) }
        let s = samples(metrics.registry.exposition())
        #expect(s[#"rest_client_requests_total{code="404",method="GET",host="10.0.0.1:6443"}"#] == 2)
        #expect(s[#"rest_client_requests_total{code="<error>",method="POST",host="10.0.0.1:6443"}"#] == 1)
        #expect(InstrumentedTransport.hostLabel(of: URL(string: "https://example.test:6443/prefix")!) == "example.test:6443")
    }

    @Test func leaderElectionStatusFollowsLeadership() {
        let metrics = RuntimeMetrics()
        metrics.leaderElectionStarted(name: "lock")
        #expect(samples(metrics.registry.exposition())[#"leader_election_master_status{name="lock"}"#] == 0)
        metrics.leadershipChanged(name: "lock", identity: "me", leading: true, lease: nil)
        #expect(samples(metrics.registry.exposition())[#"leader_election_master_status{name="lock"}"#] == 1)
    }

    @Test(arguments: [
        (":8080", ServerAddress(host: "0.0.0.0", port: 8080)),
        ("127.0.0.1:0", ServerAddress(host: "127.0.0.1", port: 0)),
        ("[::1]:9090", ServerAddress(host: "::1", port: 9090)),
        ("0", nil),
    ] as [(String, ServerAddress?)])
    func bindAddressesParseLikeControllerRuntimeFlags(_ text: String, _ expected: ServerAddress?) throws {
        #expect(try ServerAddress.parse(text) == expected)
    }

    @Test func aBindAddressWithoutAPortIsRejected() {
        #expect(throws: ControllerError.self) { try ServerAddress.parse("localhost") }
    }
}
