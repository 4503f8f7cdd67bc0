import Foundation
import Testing

/// `manifests/monitoring/` checked by Prometheus's own tool: the PrometheusRule's rules pass
/// `promtool check rules` and their unit tests (`promtool test rules`), and every dashboard query parses.
struct MonitoringRulesTests {
    static let monitoring = Repo.root.appendingPathComponent("manifests/monitoring")

    @Test func thePrometheusRulePassesPromtoolCheckAndItsUnitTests() async throws {
        let promtool = try Promtool.path()
        let dir = try makeTempDirectory("promtool")
        defer { removeTestDirectory(dir) }
        try Promtool.writeRules(to: dir.appendingPathComponent("concord-alerts.rules.yaml"))
        let tests = dir.appendingPathComponent("concord-alerts.test.yaml")
        try FileManager.default.copyItem(at: Self.monitoring.appendingPathComponent("tests/concord-alerts.test.yaml"), to: tests)

        let check = try await run(promtool, ["check", "rules", dir.appendingPathComponent("concord-alerts.rules.yaml").path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("SUCCESS: 7 rules found"), "\(check.stdout)")

        let unit = try await run(promtool, ["test", "rules", tests.path])
        #expect(unit.status == 0, "\(unit.stdout)\(unit.stderr)")
        #expect(unit.stdout.contains("SUCCESS"), "\(unit.stdout)")
    }

    @Test func everyAlertHasATestAndARunbookThatExists() throws {
        let rules = try Promtool.ruleText()
        let tests = try String(contentsOf: Self.monitoring.appendingPathComponent("tests/concord-alerts.test.yaml"), encoding: .utf8)
        let alerts = rules.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("- alert: ") ? String(t.dropFirst("- alert: ".count)) : nil
        }
        #expect(alerts.count == 7)
        for alert in alerts {
            #expect(tests.contains("alertname: \(alert)\n"), "no promtool test evaluates \(alert)")
        }
        let runbooks = rules.split(separator: "\n").compactMap { line -> String? in
            let t = line.trimmingCharacters(in: .whitespaces)
            return t.hasPrefix("runbook_url: ") ? String(t.dropFirst("runbook_url: ".count)) : nil
        }
        #expect(runbooks.count == alerts.count)
        for runbook in runbooks {
            #expect(FileManager.default.fileExists(atPath: Repo.root.appendingPathComponent(runbook).path), "\(runbook) does not exist")
        }
    }

    @Test func everyDashboardQueryParses() async throws {
        let promtool = try Promtool.path()
        let queries = try Promtool.dashboardQueries()
        #expect(queries.count >= 16)
        // Each query as a recording rule: promtool parses every expression.
        var text = "groups:\n  - name: dashboard\n    rules:\n"
        for (i, query) in queries.enumerated() {
            let quoted = query.expr.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            text += "      - record: concord:dashboard_query_\(i)\n        expr: \"\(quoted)\"\n"
        }
        let dir = try makeTempDirectory("dashboard")
        defer { removeTestDirectory(dir) }
        let file = dir.appendingPathComponent("dashboard.rules.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let check = try await run(promtool, ["check", "rules", file.path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("SUCCESS: \(queries.count) rules found"), "\(check.stdout)")
    }
}

/// Prometheus's tools and the monitoring manifests in the forms they read.
enum Promtool {
    /// `promtool` on PATH, or an error saying how to install it (never a silent skip).
    static func path(_ tool: String = "promtool") throws -> String {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let candidate = "\(dir)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw E2EError("\(tool) is not on PATH: install Debian's prometheus package (hack/setup.sh does: source hack/setup.sh)")
    }

    /// The PrometheusRule's `spec` as a Prometheus rule file (`groups:` …), with `for:` durations
    /// replaced when `forDurations` is given (the end-to-end run shortens them).
    static func ruleText(forDurations: String? = nil) throws -> String {
        let manifest = try String(contentsOf: MonitoringRulesTests.monitoring.appendingPathComponent("prometheusrule.yaml"), encoding: .utf8)
        let lines = manifest.split(separator: "\n", omittingEmptySubsequences: false)
        guard let spec = lines.firstIndex(of: "spec:") else { throw E2EError("prometheusrule.yaml has no top-level spec:") }
        var out: [String] = []
        for line in lines[(spec + 1)...] where !line.isEmpty {
            guard line.hasPrefix("  ") else { throw E2EError("prometheusrule.yaml: spec must be the last top-level key, found \(line)") }
            var rule = String(line.dropFirst(2))
            if let forDurations, rule.trimmingCharacters(in: .whitespaces).hasPrefix("for: ") {
                rule = String(rule.prefix { $0 == " " }) + "for: \(forDurations)"
            }
            out.append(rule)
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Writes the rule file.
    static func writeRules(to file: URL, forDurations: String? = nil) throws {
        try ruleText(forDurations: forDurations).write(to: file, atomically: true, encoding: .utf8)
    }

    /// Every query of the Grafana dashboard, with the description of its panel.
    static func dashboardQueries() throws -> [(expr: String, panel: String, description: String)] {
        let data = try Data(contentsOf: MonitoringRulesTests.monitoring.appendingPathComponent("concord-dashboard.json"))
        guard let dashboard = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let panels = dashboard["panels"] as? [[String: Any]]
        else { throw E2EError("concord-dashboard.json is not a dashboard with panels") }
        var queries: [(expr: String, panel: String, description: String)] = []
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                guard let expr = target["expr"] as? String else { throw E2EError("panel \(title) has a target without expr") }
                queries.append((expr, title, panel["description"] as? String ?? ""))
            }
        }
        return queries
    }
}
