import ConcordTesting
import Foundation
import Testing

/// A Warning a member records about a replica shows at the hub on the owning ReplicationRule:
/// `kubectl describe rr` names the datacenter and the member's object.
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
}
