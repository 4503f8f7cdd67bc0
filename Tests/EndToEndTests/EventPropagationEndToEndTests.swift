import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A Warning a member records about a replica shows at the hub on the owning ReplicationRule:
/// `kubectl describe rr` names the datacenter and the member's object. A restarted controller
/// does not relay the same member Events again.
@Suite(.serialized) struct EventPropagationEndToEndTests {
    static let warning = """
        apiVersion: v1
        kind: Event
        metadata: {name: flags.quota, namespace: shop}
        involvedObject: {apiVersion: v1, kind: ConfigMap, name: flags, namespace: shop}
        reason: QuotaExceeded
        message: configmaps in shop exceed the namespace quota
        type: Warning
        source: {component: member-admission}
        """

    @Test func aMemberWarningShowsOnTheRuleAtTheHub() async throws {
        let dir = try makeTempDirectory("concord-events")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir)
        defer { fed.killAll() }
        let hub = fed.hub
        let west = try #require(fed.members["us-west"])
        try await fed.replicateSample(rule: StartedFederation.sampleRule, configMap: "flags", literal: "color=blue")

        // A Warning about something Concord does not manage stays in the member.
        #expect(try await west("-n", "shop", "create", "configmap", "local", "--from-literal=a=b").succeeded)
        let unrelated = Self.warning.replacingOccurrences(of: "name: flags,", with: "name: local,").replacingOccurrences(of: "flags.quota", with: "local.quota")
            .replacingOccurrences(of: "QuotaExceeded", with: "LocalOnly")
        #expect(try await west("apply", "-f", "-", stdin: unrelated).succeeded)
        #expect(try await west("apply", "-f", "-", stdin: Self.warning).succeeded)

        var described = ""
        let shown = try await eventually(timeout: .seconds(30), every: .milliseconds(500)) {
            described = try await hub("describe", "rr", "global-config", "-n", "shop").stdout
            return described.contains("us-west: ConfigMap shop/flags: configmaps in shop exceed the namespace quota")
        }
        #expect(shown, "kubectl describe rr shows no relayed warning:\n\(described)")
        #expect(described.contains("QuotaExceeded") && described.contains("Warning"), "\(described)")
        #expect(!described.contains("LocalOnly"), "\(described)")
        print("kubectl describe rr global-config -n shop:\n\(described)")

        // The same occurrence is relayed once.
        let events = try await hub("get", "events", "-n", "shop", "--field-selector", "reason=QuotaExceeded", "-o", "name").stdout
        #expect(events.split(separator: "\n").count == 1, "\(events)")
    }

    /// The member's Warning `flags.<suffix>` about the replica, with reason `reason`.
    static func warning(_ suffix: String, reason: String) -> String {
        warning.replacingOccurrences(of: "flags.quota", with: "flags.\(suffix)").replacingOccurrences(of: "QuotaExceeded", with: reason)
    }

    @Test func aRestartedControllerDoesNotRelayTheSameMemberEventsAgain() async throws {
        let dir = try makeTempDirectory("concord-events-restart")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir)
        defer { fed.killAll() }
        let hub = fed.hub
        let west = try #require(fed.members["us-west"])
        try await fed.replicateSample(rule: StartedFederation.sampleRule, configMap: "flags", literal: "color=blue")
        let counts = { (reason: String) async throws -> [String] in
            let r = try await hub("get", "events", "-n", "shop", "--field-selector", "reason=\(reason)", "-o", "jsonpath={range .items[*]}{.series.count}{\";\"}{end}")
            return r.stdout.split(separator: ";", omittingEmptySubsequences: false).dropLast().map { $0.isEmpty ? "1" : String($0) }
        }

        // Two warnings relayed by the first controller.
        #expect(try await west("apply", "-f", "-", stdin: Self.warning).succeeded)
        #expect(try await west("apply", "-f", "-", stdin: Self.warning("throttled", reason: "Throttled")).succeeded)
        let first = try await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
            let quota = try await counts("QuotaExceeded"), throttled = try await counts("Throttled")
            return quota == ["1"] && throttled == ["1"]
        }
        let before = try await hub("get", "events", "-n", "shop").stdout
        try #require(first, "the first controller did not relay both warnings: \(before)")
        let relayed = try await hub("get", "events", "-n", "shop", "--field-selector", "reason=Throttled", "-o", "jsonpath={.items[0].metadata.labels}/{.items[0].metadata.annotations}").stdout
        #expect(relayed.contains("us-west") && relayed.contains("us-west/shop/flags.throttled"), "\(relayed)")

        // A controller killed and started again: its member Event informer lists both warnings again.
        kill(try #require(fed.layout.controller?.pid), SIGKILL)
        let restarted = try Background(try concordBinary(), ["controller", "--kubeconfig", fed.hubConfig], logPath: dir.appendingPathComponent("controller-2.log").path)
        defer { restarted.signal(SIGKILL) }
        // After the restart: QuotaExceeded happens a second time, and a new warning (relayed after
        // the listed ones, by the one worker in queue order).
        #expect(try await west("-n", "shop", "patch", "event", "flags.quota", "--type", "merge", "-p", #"{"count":2}"#).succeeded)
        #expect(try await west("apply", "-f", "-", stdin: Self.warning("evicted", reason: "Evicted")).succeeded)
        let settled = try await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
            let evicted = try await counts("Evicted"), quota = try await counts("QuotaExceeded")
            return evicted == ["1"] && quota == ["2"]
        }
        let events = try await hub("get", "events", "-n", "shop", "-o", "wide").stdout
        #expect(settled, "the restarted controller did not relay the new occurrence and the new warning:\n\(events)\n\(restarted.log)")
        // One hub Event per member Event: the second occurrence counted on the first relay, the unchanged warning not relayed again.
        #expect(try await counts("QuotaExceeded") == ["2"], "\(events)")
        #expect(try await counts("Throttled") == ["1"], "\(events)")
        print("hub events after the restart:\n\(events)")
    }
}
