import ConcordTesting
import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient
import Testing

/// Mesh replication against real control planes: every member writes, LastWriterWins converges
/// every member to one copy, SourceWins is refused.
@Suite(.serialized) struct MeshReplicationControllerTests {
    typealias Setup = ReplicationTestSetup
    static let regions = ["a": "us-east-1", "b": "us-west-2", "c": "eu-central-1"]

    /// One member's copy: its data and Concord's stamp.
    struct Copy: Hashable {
        var data: [String: String]
        var hlc: String?, contentHash: String?, writer: String?
        var clock: HLCTimestamp? { hlc.flatMap { HLCTimestamp(annotation: $0) } }
    }

    /// ConfigMap `shop/<name>` in each client (nil: none).
    static func copies(_ name: String, in clients: [KubeClient]) async throws -> [Copy?] {
        var result: [Copy?] = []
        for client in clients {
            do {
                let map = try await client.resource(ConfigMap.self).get(name, namespace: "shop")
                let a = map.metadata.annotations ?? [:]
                result.append(Copy(
                    data: map.data ?? [:], hlc: a[FederationAnnotation.hybridLogicalClock], contentHash: a[FederationAnnotation.contentHash],
                    writer: a[FederationAnnotation.sourceDatacenter]))
            } catch let error as KubeAPIError where error.isNotFound {
                result.append(nil)
            }
        }
        return result
    }

    /// Waits until every client holds the same stamped copy of `name` satisfying `condition`, and returns it.
    static func converged(_ name: String, in clients: [KubeClient], _ condition: @escaping (Copy) -> Bool = { _ in true }) async throws -> Copy {
        var last: [Copy?] = []
        try await waitUntil("\(name) identical in every member", timeout: .seconds(30)) {
            last = try await copies(name, in: clients)
            guard let first = last[0], first.hlc != nil, first.contentHash != nil else { return false }
            return Set(last).count == 1 && condition(first)
        }
        return try #require(last[0])
    }

    static func edit(_ name: String, _ data: [String: String], in client: KubeClient) async throws {
        var map = try await client.resource(ConfigMap.self).get(name, namespace: "shop")
        map.data = data
        _ = try await client.resource(ConfigMap.self).update(map)
    }

    @Test func everyMemberWritesAndLastWriterWinsConvergesThemAll() async throws {
        try await Setup.withFederation(Self.regions, primary: "a", topology: .mesh) { f in
            let a = f.members["a"]!, b = f.members["b"]!, c = f.members["c"]!
            for client in [a, b, c] { try await Setup.createNamespace("shop", in: client) }
            // The same object written in two members before any replication: a conflict.
            try await Setup.configMap("flags", ["color": "red"], labels: ["scope": "global"], in: a)
            try await Setup.configMap("flags", ["color": "green"], labels: ["scope": "global"], in: c)
            try await Setup.configMap("limits", ["max": "1"], labels: ["scope": "global"], in: b)

            // SourceWins (the default) is refused, and the rule says why.
            try await f.createRule(Setup.rule(.sourceWins))
            try await f.waitForStatus("SourceWins refused") { s in
                s.conditions.isTrue("Stalled") && s.conditions.condition("Ready")?.reason == ReplicationRule.Reason.sourceWinsInMesh
                    && (s.conditions.condition("Ready")?.message.contains("set spec.conflictResolution to LastWriterWins") ?? false)
            }
            #expect(try await Setup.all("limits", in: [a, c]) == [nil, nil], "nothing is written while refused")

            var rule = try await f.hub.resource(ReplicationRule.self).get("global", namespace: "shop")
            rule.spec.conflictResolution = .lastWriterWins
            _ = try await f.hub.resource(ReplicationRule.self).update(rule)

            let limits = try await Self.converged("limits", in: [a, b, c])
            #expect(limits.data == ["max": "1"] && limits.writer == "b" && limits.clock?.datacenter == "b", "b's write, stamped by b: \(limits)")
            let flags = try await Self.converged("flags", in: [a, b, c])
            #expect(flags.data == ["color": "red"] || flags.data == ["color": "green"], "one of the two writes everywhere: \(flags)")
            #expect(flags.writer == flags.clock?.datacenter && (flags.data["color"] == "red") == (flags.writer == "a"))
            try await f.waitForStatus("the conflict listed and every member Synced") { s in
                s.sourceDatacenter == MeshReplication.source && s.targets.map(\.datacenter) == ["a", "b", "c"] && s.targets.allSatisfy { $0.state == .synced }
                    && s.conflicts.contains { $0.name == "flags" && $0.resolution == .lastWriterWins && ($0.message ?? "").contains("hybrid logical clock") }
                    && s.conditions.isTrue("Ready") && !s.conditions.isTrue("Stalled")
            }

            // Two members edit the converged object back to back: every member converges to one of them.
            try await Self.edit("flags", ["color": "blue"], in: a)
            try await Self.edit("flags", ["color": "yellow"], in: b)
            let after = try await Self.converged("flags", in: [a, b, c]) { $0.data["color"] == "blue" || $0.data["color"] == "yellow" }
            let stamp = try #require(after.clock)
            #expect(["a", "b"].contains(stamp.datacenter) && after.writer == stamp.datacenter, "stamped by its writer: \(after)")
            #expect((after.data["color"] == "yellow") == (stamp.datacenter == "b"))
            #expect(stamp > (flags.clock ?? stamp), "a later reading than the copy both edits were made on")

            // Deleting an object where its version was written deletes it everywhere.
            try await b.resource(ConfigMap.self).delete("limits", namespace: "shop")
            try await waitUntil("limits deleted everywhere", timeout: .seconds(30)) { try await Setup.all("limits", in: [a, b, c]) == [nil, nil, nil] }
        }
    }
}
