import ConcordTesting
import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient
import Testing

/// A person's resolution of a Manual conflict on an object the rule never stamped (a former
/// primary's own): a mistyped value is warned about once, KeepTarget adopts the object once, and
/// neither is recorded again on later passes.
@Suite(.serialized) struct ReplicationResolutionTests {
    typealias Setup = ReplicationTestSetup

    /// The occurrences of events of `reason` on rule shop/global (an event's series counts its repeats).
    static func occurrences(_ reason: String, hub: KubeClient) async throws -> [(note: String, count: Int)] {
        try await hub.resource(Event.self).list(namespace: "shop").items
            .filter { $0.reason == reason && $0.regarding?.name == "global" }
            .map { ($0.note ?? "", Int($0.series?.count ?? 1)) }
    }

    @Test func aMistypedValueWarnsOnceAndKeepTargetAdoptsAnUnstampedObjectOnce() async throws {
        try await Setup.withFederation(["a": "us-east-1", "b": "us-west-2"], primary: "a") { f in
            let a = f.members["a"]!, b = f.members["b"]!
            try await Setup.createNamespace("shop", in: a)
            try await Setup.createNamespace("shop", in: b)
            try await Setup.configMap("flags", ["color": "blue"], labels: ["scope": "global"], in: a)
            try await Setup.configMap("flags", ["color": "red"], labels: ["scope": "global"], in: b)
            // Only in b, never stamped: kept by every strategy, never a person's choice.
            try await Setup.configMap("local-only", ["x": "1"], labels: ["scope": "global"], in: b)
            var rule = Setup.rule(.manual)
            rule.spec.mode = .periodic
            rule.spec.intervalSeconds = 1
            try await f.createRule(rule)
            try await f.waitForStatus("b's own flags waits for a person") { s in
                s.conflicts.contains { $0.datacenter == "b" && $0.name == "flags" && $0.resolution == .manual }
            }

            let annotate = { (value: String) in
                _ = try await b.resource(ConfigMap.self).patch(
                    "flags", namespace: "shop", type: .merge, patch: ["metadata": ["annotations": [FederationAnnotation.resolution: .string(value)]]])
            }
            try await annotate("keepsource")
            try await waitUntil("the typo is warned about", timeout: .seconds(30)) { try await !Self.occurrences("InvalidResolution", hub: f.hub).isEmpty }
            try await Self.laterPasses(2, from: a, to: b, tag: "typo")
            let typos = try await Self.occurrences("InvalidResolution", hub: f.hub)
            #expect(typos.map(\.count) == [1], "\(typos)")
            #expect(typos.first?.note
                == "ConfigMap/flags in b: federation.concord.dev/resolution is \"keepsource\", which Concord ignores; set KeepSource or KeepTarget.")
            #expect(try await Setup.data("flags", in: b) == ["color": "red"])

            try await annotate("KeepTarget")
            try await waitUntil("b's flags adopted as it is", timeout: .seconds(30)) {
                let kept = try await b.resource(ConfigMap.self).get("flags", namespace: "shop")
                let annotations = kept.metadata.annotations ?? [:]
                return annotations[FederationAnnotation.rule] == "shop/global" && annotations[FederationAnnotation.resolution] == nil && kept.data == ["color": "red"]
            }
            try await f.waitForStatus("nothing waits any more") { s in !s.conflicts.contains { $0.resolution == .manual && $0.name == "flags" } }
            try await Self.laterPasses(2, from: a, to: b, tag: "resolved")
            let resolved = try await Self.occurrences("ConflictResolved", hub: f.hub)
            #expect(resolved.map(\.count) == [1], "\(resolved)")
            #expect(resolved.first?.note == "ConfigMap/flags in b: a person chose KeepTarget.")
            #expect(try await Setup.data("flags", in: b) == ["color": "red"])
            #expect(try await Setup.data("flags", in: a) == ["color": "blue"])
        }
    }

    /// Waits until `count` more passes of the rule have run, each proven by a new source object it
    /// copied from `source` to `target`: an event a pass would repeat has had its chance to repeat.
    static func laterPasses(_ count: Int, from source: KubeClient, to target: KubeClient, tag: String) async throws {
        for pass in 1...count {
            let name = "tick-\(tag)-\(pass)"
            try await Setup.configMap(name, ["pass": "\(pass)"], labels: ["scope": "global"], in: source)
            try await waitUntil("\(name) copied by a later pass", timeout: .seconds(30)) { try await Setup.data(name, in: target) != nil }
        }
    }
}
