import ConcordTesting
import Foundation
import KubeClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus scrapes `concord controller` on `concord up` with Concord's alert rules (their
/// `for:` shortened to 5 s): every dashboard query that needs only today's controllers returns data,
/// and killing a member fires DatacenterUnreachable in `/api/v1/alerts`.
@Suite(.serialized) struct PrometheusEndToEndTests {
    @Test func aKilledMemberFiresDatacenterUnreachableInPrometheus() async throws {
        let prometheusBinary = try Promtool.path("prometheus")
        let dir = try makeTempDirectory("concord-prometheus")
        defer { removeTestDirectory(dir) }
        let federation = try await UpFederation.start(dataDir: dir.appendingPathComponent("up"), log: dir.appendingPathComponent("up.log"))
        var prometheus: Background?
        defer {
            prometheus?.signal(SIGKILL)
            federation.stop()
        }
        let layout = federation.layout
        let metrics = try #require(layout.controller?.metrics)
        let k = try Kubectl(kubeconfig: layout.hub.kubeconfig)
        let ready = try await k("wait", "--for=condition=Ready", "dc/us-east", "dc/us-west", "dc/eu-central", "--timeout=60s")
        try #require(ready.succeeded, "\(ready.stdout)\(ready.stderr)")

        let rules = dir.appendingPathComponent("concord-alerts.rules.yaml")
        try Promtool.writeRules(to: rules, forDurations: "5s")
        let config = dir.appendingPathComponent("prometheus.yml")
        try """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            rule_files: [\(rules.path)]
            scrape_configs:
              - job_name: concord-controller
                static_configs: [{targets: ["\(metrics)"]}]

            """.write(to: config, atomically: true, encoding: .utf8)
        let port = try freePort()
        prometheus = try Background(
            prometheusBinary,
            ["--config.file=\(config.path)", "--storage.tsdb.path=\(dir.appendingPathComponent("tsdb").path)",
             "--web.listen-address=127.0.0.1:\(port)"],
            logPath: dir.appendingPathComponent("prometheus.log").path)
        let server = try #require(prometheus)
        let scraping = try await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            guard server.exitStatus == nil else { throw E2EError("prometheus exited:\n\(server.log)") }
            do {
                return try await Self.query(port, #"up{job="concord-controller"}"#).first?.value == "1"
            } catch {
                return false  // not listening yet
            }
        }
        try #require(scraping, "prometheus never scraped the controller at \(metrics):\n\(server.log)")

        // Every dashboard query that needs only the controllers running today returns data.
        let queries = try Promtool.dashboardQueries().filter { !$0.description.hasPrefix("Needs:") }
        #expect(queries.count >= 11)
        for q in queries {
            let answered = try await eventually(timeout: .seconds(30), every: .seconds(1)) {
                !(try await Self.query(port, q.expr)).isEmpty
            }
            #expect(answered, "dashboard panel \(q.panel): \(q.expr) returned no data")
        }
        let before = try await Self.firingAlerts(port)
        for alert in ["DatacenterUnreachable", "SplitBrainDetected", "PromotionBlocked"] {
            #expect(!before.contains(alert), "\(alert) fires with every datacenter Ready")
        }

        let westPID = try #require(layout.datacenters.first { $0.name == "us-west" }?.pid)
        let killed = ContinuousClock.now
        kill(westPID, SIGKILL)
        var firing: [String] = []
        let fired = try await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            firing = try await Self.firingAlerts(port)
            return firing.contains("DatacenterUnreachable")
        }
        #expect(fired, "DatacenterUnreachable did not fire; firing: \(firing)")
        print("DatacenterUnreachable fired in Prometheus \(ContinuousClock.now - killed) after kill -9 of us-west (for: 5s)")
    }

    /// The instant query's samples as (labels, value) pairs.
    static func query(_ port: Int, _ expr: String) async throws -> [(metric: [String: String], value: String)] {
        let body = try await prometheusGet(port, "/api/v1/query", [QueryItem("query", expr)])
        guard let data = body["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else {
            throw E2EError("unexpected /api/v1/query answer for \(expr): \(body)")
        }
        return result.map { sample in
            let value = (sample["value"] as? [Any])?.last as? String ?? ""
            return (sample["metric"] as? [String: String] ?? [:], value)
        }
    }

    /// The names of the alerts in state firing.
    static func firingAlerts(_ port: Int) async throws -> [String] {
        let body = try await prometheusGet(port, "/api/v1/alerts", [])
        let alerts = (body["data"] as? [String: Any])?["alerts"] as? [[String: Any]] ?? []
        return alerts.filter { $0["state"] as? String == "firing" }.compactMap { ($0["labels"] as? [String: String])?["alertname"] }
    }

    private static func prometheusGet(_ port: Int, _ path: String, _ query: [QueryItem]) async throws -> [String: Any] {
        let client = try KubeClient(configuration: ClientConfiguration(server: URL(string: "http://127.0.0.1:\(port)")!, requestTimeout: .seconds(5)))
        do {
            let r = try await client.transport.send(KubeRequest(method: .get, path: path, query: query, accept: "application/json"))
            try await client.shutdown()
            guard r.statusCode == 200, let body = try JSONSerialization.jsonObject(with: r.body) as? [String: Any] else {
                throw E2EError("GET \(path) answered \(r.statusCode): \(String(decoding: r.body, as: UTF8.self))")
            }
            return body
        } catch {
            try await client.shutdown()
            throw error
        }
    }
}
