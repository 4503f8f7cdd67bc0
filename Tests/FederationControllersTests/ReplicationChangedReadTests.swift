import ConcordTesting
import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Testing

@testable import FederationControllers

/// Once a rule's first pass has read everything, its passes read only what changed in the member
/// caches since the previous pass, and still copy edits, new objects and deletions.
struct ReplicationChangedReadTests {
    typealias Setup = ReplicationTestSetup

    static func passes(_ metrics: RuntimeMetrics, read: String) -> Double {
        let prefix = #"concord_replication_passes_total{read="\#(read)",rule="shop/global"} "#
        let alt = #"concord_replication_passes_total{rule="shop/global",read="\#(read)"} "#
        for line in metrics.registry.exposition().split(separator: "\n") where line.hasPrefix(prefix) || line.hasPrefix(alt) {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    @Test func passesAfterTheFirstReadOnlyWhatChangedAndStillCopyEverything() async throws {
        let metrics = RuntimeMetrics()
        try await Setup.withFederation(["us-east": "us-east-1", "us-west": "us-west-2"], primary: "us-east", metrics: metrics) { f in
            let source = f.members["us-east"]!, west = f.members["us-west"]!
            try await Setup.createNamespace("shop", in: source)
            for i in 0..<20 { try await Setup.configMap("cm-\(i)", ["v": "1"], labels: ["scope": "global"], in: source) }
            try await f.createRule(Setup.rule())
            try await waitUntil("20 replicas", timeout: .seconds(30)) {
                try await west.resource(ConfigMap.self).list(namespace: "shop").items.count { $0.metadata.labels?["scope"] == "global" } == 20
            }
            let wholeBefore = Self.passes(metrics, read: "whole")
            #expect(wholeBefore >= 1)
            // An edit, a new object, a deletion, an object leaving the selection, and a replica edited in the member.
            _ = try await source.resource(ConfigMap.self).patch("cm-1", namespace: "shop", type: .merge, patch: ["data": ["v": "2"]])
            try await Setup.configMap("cm-new", ["v": "new"], labels: ["scope": "global"], in: source)
            _ = try await source.resource(ConfigMap.self).delete("cm-2", namespace: "shop")
            _ = try await source.resource(ConfigMap.self).patch("cm-3", namespace: "shop", type: .merge, patch: ["metadata": ["labels": ["scope": "team"]]])
            _ = try await west.resource(ConfigMap.self).patch("cm-4", namespace: "shop", type: .merge, patch: ["data": ["v": "local"]])
            // cm-2 deleted and cm-3 no longer selected: both replicas are deleted (deletion Propagate).
            try await waitUntil("the changes copied and the edit restored", timeout: .seconds(30)) {
                try await Setup.all("cm-1", in: [west]) + Setup.all("cm-new", in: [west]) + Setup.all("cm-2", in: [west]) + Setup.all("cm-3", in: [west])
                    + Setup.all("cm-4", in: [west]) == [["v": "2"], ["v": "new"], nil, nil, ["v": "1"]]
            }
            #expect(Self.passes(metrics, read: "changes") >= 1)
        }
    }
}
