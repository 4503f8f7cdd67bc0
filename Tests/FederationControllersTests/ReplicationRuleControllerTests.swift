import ConcordTesting
import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient
import Testing

/// Replication against real control planes: a hub and members, the controllers running, objects
/// written in the primary's namespace and read back from every member.
@Suite(.serialized) struct ReplicationRuleControllerTests {
    typealias Setup = ReplicationTestSetup

    @Test func replicatesSelectedObjectsRestoresEditsDeletesAndKeepsResidency() async throws {
        try await Setup.withFederation(["us-east": "us-east-1", "us-west": "us-west-2", "eu-central": "eu-central-1"], primary: "us-east") { f in
            let source = f.members["us-east"]!, west = f.members["us-west"]!, eu = f.members["eu-central"]!
            try await Setup.createNamespace("shop", in: source)
            try await Setup.configMap("flags", ["color": "blue"], labels: ["scope": "global"], in: source)
            try await Setup.configMap("local-only", ["x": "1"], in: source)
            try await Setup.configMap("eu-customers", ["count": "3"], labels: ["scope": "global", FederationLabel.residency: "eu"], in: source)
            _ = try await source.resource(Secret.self).create(Secret(metadata: ObjectMeta(name: "global-ca", namespace: "shop"), data: ["ca.crt": "Y2E="]))
            _ = try await source.resource(Secret.self).create(Secret(metadata: ObjectMeta(name: "db-password", namespace: "shop"), data: ["p": "cA=="]))
            try await f.createRule(Setup.rule())

            try await waitUntil("replicas in both members", timeout: .seconds(30)) {
                let flags = try await Setup.all("flags", in: [west, eu]), customers = try await Setup.data("eu-customers", in: eu)
                let secrets = try await Setup.secretExists("global-ca", in: west) ? Setup.secretExists("global-ca", in: eu) : false
                return flags == [["color": "blue"], ["color": "blue"]] && customers == ["count": "3"] && secrets
            }
            let replica = try await west.resource(ConfigMap.self).get("flags", namespace: "shop")
            let a = replica.metadata.annotations ?? [:]
            #expect(a[FederationAnnotation.sourceDatacenter] == "us-east")
            #expect(a[FederationAnnotation.rule] == "shop/global")
            #expect(a[FederationAnnotation.epoch] == "1")
            #expect(a[FederationAnnotation.sourceRevision] == (try await source.resource(ConfigMap.self).get("flags", namespace: "shop")).metadata.resourceVersion)
            #expect(a[FederationAnnotation.contentHash]?.count == 16)
            #expect(a[FederationAnnotation.hybridLogicalClock].flatMap { HLCTimestamp(annotation: $0) }?.datacenter == "us-east")
            #expect(replica.metadata.labels?["scope"] == "global")
            #expect(try await Setup.data("local-only", in: west) == nil)
            #expect(try await !Setup.secretExists("db-password", in: west))
            // Residency: the eu object never lands in a us member.
            #expect(try await Setup.data("eu-customers", in: west) == nil)
            try await f.waitForStatus("both targets Synced") { s in
                s.targets.map(\.datacenter) == ["eu-central", "us-west"] && s.targets.allSatisfy { $0.state == .synced }
                    && s.conditions.isTrue("Ready") && s.conditions.isTrue("ResidencyBlocked") && s.sourceDatacenter == "us-east" && s.objects == 3
            }

            // An edit in a member is restored (SourceWins) and listed.
            var edited = try await west.resource(ConfigMap.self).get("flags", namespace: "shop")
            edited.data = ["color": "red"]
            _ = try await west.resource(ConfigMap.self).update(edited)
            try await waitUntil("edit restored", timeout: .seconds(30)) { try await Setup.data("flags", in: west) == ["color": "blue"] }
            try await f.waitForStatus("conflict listed") { s in
                s.conflicts.contains { $0.datacenter == "us-west" && $0.name == "flags" && $0.resolution == .sourceWins } && s.conflictsTotal == 1
            }

            // A source change flows; a source deletion removes the replicas.
            var changed = try await source.resource(ConfigMap.self).get("flags", namespace: "shop")
            changed.data = ["color": "green"]
            _ = try await source.resource(ConfigMap.self).update(changed)
            try await waitUntil("change replicated", timeout: .seconds(30)) {
                try await Setup.all("flags", in: [west, eu]) == [["color": "green"], ["color": "green"]]
            }
            try await source.resource(ConfigMap.self).delete("flags", namespace: "shop")
            try await waitUntil("replicas deleted", timeout: .seconds(30)) {
                try await Setup.all("flags", in: [west, eu]) == [nil, nil]
            }
            #expect(try await Setup.secretExists("global-ca", in: west))
        }
    }

    @Test func manualConflictIsKeptListedAndResolvedByTheAnnotation() async throws {
        try await Setup.withFederation(["a": "us-east-1", "b": "us-west-2"], primary: "a") { f in
            let source = f.members["a"]!, b = f.members["b"]!
            try await Setup.createNamespace("shop", in: source)
            try await Setup.configMap("flags", ["color": "blue"], labels: ["scope": "global"], in: source)
            try await f.createRule(Setup.rule(.manual))
            try await waitUntil("replica", timeout: .seconds(30)) { try await Setup.data("flags", in: b) == ["color": "blue"] }
            var edited = try await b.resource(ConfigMap.self).get("flags", namespace: "shop")
            edited.data = ["color": "red"]
            _ = try await b.resource(ConfigMap.self).update(edited)
            try await f.waitForStatus("manual conflict listed") { s in
                s.conflicts.contains { $0.datacenter == "b" && $0.name == "flags" && $0.resolution == .manual }
                    && s.conditions.condition("Ready")?.reason == "ManualResolutionRequired"
            }
            #expect(try await Setup.data("flags", in: b) == ["color": "red"])
            _ = try await b.resource(ConfigMap.self).patch(
                "flags", namespace: "shop", type: .merge, patch: ["metadata": ["annotations": [FederationAnnotation.resolution: "KeepSource"]]])
            try await waitUntil("restored", timeout: .seconds(30)) { try await Setup.data("flags", in: b) == ["color": "blue"] }
            try await f.waitForStatus("resolved") { s in s.conflicts.isEmpty && s.conditions.isTrue("Ready") && s.conflictsTotal == 1 }
            let restored = try await b.resource(ConfigMap.self).get("flags", namespace: "shop")
            #expect(restored.metadata.annotations?[FederationAnnotation.resolution] == nil)
        }
    }

    @Test func badInputStallsOnlyItsOwnRule() async throws {
        try await Setup.withFederation(["a": "us-east-1", "b": "us-west-2"], primary: "a") { f in
            let source = f.members["a"]!, b = f.members["b"]!
            try await Setup.createNamespace("shop", in: source)
            try await Setup.configMap("flags", ["color": "blue"], labels: ["scope": "global"], in: source)
            try await f.createRule(Setup.rule(name: "widgets", resources: [ReplicatedResource(apiVersion: "v1", kind: "Widget")]))
            try await f.createRule(Setup.rule(name: "mars", residency: ["mars-*"]))
            try await f.createRule(Setup.rule(name: "empty", resources: [ReplicatedResource(apiVersion: "v1", kind: "ConfigMap", namePrefix: "nothing-")]))
            try await f.createRule(Setup.rule(name: "no-values", resources: [ReplicatedResource(
                apiVersion: "v1", kind: "ConfigMap", selector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "scope", operator: .in)]))]))
            try await f.createRule(Setup.rule())
            try await waitUntil("good rule replicates", timeout: .seconds(30)) { try await Setup.data("flags", in: b) == ["color": "blue"] }
            try await f.waitForStatus("unknown kind stalls", rule: "widgets") { s in s.conditions.condition("Stalled")?.reason == "UnknownKind" && !s.conditions.isTrue("Ready") }
            try await f.waitForStatus("residency excluding every target stalls", rule: "mars") { s in
                s.conditions.condition("Stalled")?.reason == "NoAllowedTargets" && s.conditions.isTrue("ResidencyBlocked")
            }
            try await f.waitForStatus("a selector Kubernetes would refuse stalls", rule: "no-values") { s in
                s.conditions.condition("Stalled")?.reason == "InvalidSelector"
                    && s.conditions.condition("Stalled")?.message.contains("spec.resources[0].selector.matchExpressions[0].values: Required value") == true
            }
            try await f.waitForStatus("nothing selected is not Ready", rule: "empty") { s in
                s.conditions.condition("Ready")?.reason == "NothingSelected" && s.objects == 0
                    && s.conditions.condition("Synced")?.message.hasPrefix("Nothing is selected at ") == true
            }
            try await f.waitForStatus("good rule Ready") { s in s.conditions.isTrue("Ready") && s.conditions.condition("Stalled") == nil }
        }
    }

    @Test func residencyNarrowedToNoTargetDeletesTheReplicasAndStalls() async throws {
        try await Setup.withFederation(["a": "us-east-1", "b": "us-west-2", "c": "eu-central-1"], primary: "a") { f in
            let source = f.members["a"]!, b = f.members["b"]!, c = f.members["c"]!
            try await Setup.createNamespace("shop", in: source)
            try await Setup.configMap("flags", ["color": "blue"], labels: ["scope": "global"], in: source)
            try await Setup.configMap("limits", ["max": "3"], labels: ["scope": "global"], in: source)
            try await f.createRule(Setup.rule(residency: ["us-*", "eu-*"]))
            try await waitUntil("replicas", timeout: .seconds(30)) {
                let flags = try await Setup.all("flags", in: [b, c]), limits = try await Setup.all("limits", in: [b, c])
                return flags == [["color": "blue"], ["color": "blue"]] && limits == [["max": "3"], ["max": "3"]]
            }
            _ = try await f.hub.resource(ReplicationRule.self).patch(
                "global", namespace: "shop", type: .merge, patch: ["spec": ["residency": ["allowedRegions": ["ap-*"]]]])
            try await waitUntil("replicas outside residency deleted", timeout: .seconds(30)) { try await Setup.all("flags", in: [b, c]) == [nil, nil] }
            try await f.waitForStatus("stalled, every target blocked") { s in
                s.conditions.condition("Stalled")?.reason == "NoAllowedTargets" && s.conditions.isTrue("ResidencyBlocked")
                    && s.conditions.condition("Synced")?.status == .false && s.targets.allSatisfy { $0.state == .blocked }
            }
            #expect(try await Setup.data("flags", in: source) == ["color": "blue"], "the source keeps its object")
            // One event per deleted object and member (each names both), not one series for all of them.
            try await waitUntil("an event per object and member", timeout: .seconds(10)) {
                let events = try await f.hub.resource(Event.self).list(namespace: "shop").items.filter { $0.reason == "ResidencyViolation" }
                let pairs = Set(events.map { "\($0.reportingInstance ?? "-")/\($0.related?.name ?? "-")" })
                return pairs == ["b/flags", "b/limits", "c/flags", "c/limits"]
                    && events.allSatisfy { $0.note?.contains($0.related?.name ?? "-") == true && $0.note?.contains("from \($0.reportingInstance ?? "-")") == true }
            }
        }
    }

    @Test func primaryChangeMovesTheSource() async throws {
        try await Setup.withFederation(["a": "us-east-1", "b": "us-west-2", "c": "eu-central-1"], primary: "a") { f in
            let a = f.members["a"]!, b = f.members["b"]!, c = f.members["c"]!
            try await Setup.createNamespace("shop", in: a)
            try await Setup.configMap("flags", ["color": "blue"], labels: ["scope": "global"], in: a)
            try await f.createRule(Setup.rule())
            try await waitUntil("replicas", timeout: .seconds(30)) { try await Setup.all("flags", in: [b, c]) == [["color": "blue"], ["color": "blue"]] }
            _ = try await f.hub.resource(FederationPolicy.self).patch("global", type: .merge, patch: ["spec": ["primary": "b"]])
            try await f.waitForStatus("source follows the promotion") { s in s.sourceDatacenter == "b" && s.sourceEpoch == 2 && s.conditions.isTrue("Ready") }
            try await Setup.configMap("new-in-b", ["v": "1"], labels: ["scope": "global"], in: b)
            try await waitUntil("b's object reaches a and c", timeout: .seconds(30)) {
                try await Setup.all("new-in-b", in: [a, c]) == [["v": "1"], ["v": "1"]]
            }
            let moved = try await c.resource(ConfigMap.self).get("new-in-b", namespace: "shop")
            #expect(moved.metadata.annotations?[FederationAnnotation.sourceDatacenter] == "b")
            #expect(moved.metadata.annotations?[FederationAnnotation.epoch] == "2")
            #expect(try await Setup.data("flags", in: a) == ["color": "blue"])
            // A write the demoted member accepts on its own is never replicated as a source write: it is listed.
            try await Setup.configMap("written-in-a", ["v": "stale"], labels: ["scope": "global"], in: a)
            try await f.waitForStatus("a's own write listed") { s in
                s.conflicts.contains { $0.datacenter == "a" && $0.name == "written-in-a" && ($0.message ?? "").contains("not at the source") }
            }
            #expect(try await Setup.all("written-in-a", in: [b, c]) == [nil, nil])
            #expect(try await Setup.data("written-in-a", in: a) == ["v": "stale"])
        }
    }
}

extension ReplicationRuleControllerTests {
    /// LastWriterWins: a replica changed while its source was not is the later write and is kept
    /// (restamped, listed); a later source write wins again.
    @Test func lastWriterWinsKeepsTheLaterLocalWriteThenTheLaterSourceWrite() async throws {
        try await Setup.withFederation(["a": "us-east-1", "b": "us-west-2"], primary: "a") { f in
            let source = f.members["a"]!, b = f.members["b"]!
            try await Setup.createNamespace("shop", in: source)
            try await Setup.configMap("flags", ["color": "blue"], labels: ["scope": "global"], in: source)
            try await f.createRule(Setup.rule(.lastWriterWins))
            try await waitUntil("replica", timeout: .seconds(30)) { try await Setup.data("flags", in: b) == ["color": "blue"] }
            let written = try await b.resource(ConfigMap.self).get("flags", namespace: "shop").metadata.annotations ?? [:]
            _ = try await b.resource(ConfigMap.self).patch("flags", namespace: "shop", type: .merge, patch: ["data": ["color": "red"]])
            try await f.waitForStatus("local write kept and listed") { s in
                s.conflicts.contains { $0.datacenter == "b" && $0.name == "flags" && $0.resolution == .lastWriterWins } && s.conditions.isTrue("Ready")
            }
            try await waitUntil("restamped with b's clock", timeout: .seconds(30)) {
                let a = try await b.resource(ConfigMap.self).get("flags", namespace: "shop").metadata.annotations ?? [:]
                return a[FederationAnnotation.contentHash] != written[FederationAnnotation.contentHash]
                    && a[FederationAnnotation.hybridLogicalClock].flatMap { HLCTimestamp(annotation: $0) }?.datacenter == "b"
            }
            #expect(try await Setup.data("flags", in: b) == ["color": "red"])
            _ = try await source.resource(ConfigMap.self).patch("flags", namespace: "shop", type: .merge, patch: ["data": ["color": "green"]])
            try await waitUntil("the later source write wins", timeout: .seconds(30)) { try await Setup.data("flags", in: b) == ["color": "green"] }
        }
    }
}

extension ReplicationRuleControllerTests {
    /// A Periodic rule is not woken by member watches: a source change arrives with its next round.
    @Test func periodicRuleCopiesChangesAtItsInterval() async throws {
        try await Setup.withFederation(["a": "us-east-1", "b": "us-west-2"], primary: "a") { f in
            let source = f.members["a"]!, b = f.members["b"]!
            try await Setup.createNamespace("shop", in: source)
            try await Setup.configMap("flags", ["color": "blue"], labels: ["scope": "global"], in: source)
            var rule = Setup.rule()
            rule.spec.mode = .periodic
            rule.spec.intervalSeconds = 1
            try await f.createRule(rule)
            try await waitUntil("first round", timeout: .seconds(30)) { try await Setup.data("flags", in: b) == ["color": "blue"] }
            _ = try await source.resource(ConfigMap.self).patch("flags", namespace: "shop", type: .merge, patch: ["data": ["color": "green"]])
            try await waitUntil("a later round copies the change", timeout: .seconds(30)) { try await Setup.data("flags", in: b) == ["color": "green"] }
        }
    }
}
