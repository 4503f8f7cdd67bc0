import ConcordTesting
import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Testing

@testable import FederationControllers

/// A steady stream of source writes is carried pass by pass, but the rule's status is not written
/// every pass: progress alone waits up to five seconds after the last write, then lands.
struct ReplicationStatusWritesTests {
    typealias Setup = ReplicationTestSetup

    static func counter(_ metrics: RuntimeMetrics, _ name: String, read: String? = nil) -> Double {
        var total = 0.0
        for line in metrics.registry.exposition().split(separator: "\n") where line.hasPrefix(name + "{") && line.contains(#"rule="shop/global""#) {
            if let read, !line.contains(#"read="\#(read)""#) { continue }
            total += Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return total
    }

    @Test func progressAloneIsWrittenAtMostEveryFewSecondsAndStillLands() async throws {
        let metrics = RuntimeMetrics()
        try await Setup.withFederation(["us-east": "us-east-1", "us-west": "us-west-2"], primary: "us-east", metrics: metrics) { f in
            let source = f.members["us-east"]!, west = f.members["us-west"]!
            try await Setup.createNamespace("shop", in: source)
            try await Setup.configMap("flags", ["v": "0"], labels: ["scope": "global"], in: source)
            try await f.createRule(Setup.rule())
            try await f.waitForStatus("Ready and in sync") { $0.conditions.isTrue("Ready") && $0.targets.first?.state == .synced }
            let passesBefore = Self.counter(metrics, "concord_replication_passes_total")
            let writesBefore = Self.counter(metrics, "concord_replication_status_writes_total")
            #expect(writesBefore >= 1)
            // Edits for 2.5 s, and on a loaded machine until at least 4 were made (within 4.5 s: one
            // refresh interval), each carried before the next is made, so each is planned by a pass of its own.
            var lastVersion = ""
            var lastEdit = Date()
            let firstEdit = Date()
            var edits = 0
            while Date().timeIntervalSince(firstEdit) < 2.5 || (edits < 4 && Date().timeIntervalSince(firstEdit) < 4.5) {
                edits += 1
                lastVersion = try await source.resource(ConfigMap.self).patch("flags", namespace: "shop", type: .merge, patch: ["data": ["v": .string("\(edits)")]])
                    .metadata.resourceVersion ?? ""
                lastEdit = Date()
                try await waitUntil("edit \(edits) carried", timeout: .seconds(30)) { try await Setup.data("flags", in: west) == ["v": "\(edits)"] }
            }
            let passes = Self.counter(metrics, "concord_replication_passes_total") - passesBefore
            let writes = Self.counter(metrics, "concord_replication_status_writes_total") - writesBefore
            #expect(edits >= 4 && passes >= Double(edits), "\(edits) edits, each planned by a pass of its own (\(passes) passes)")
            #expect(writes <= 2, "\(writes) status writes for \(passes) passes: progress alone waits for the refresh")
            // The progress lands within the refresh interval (and a margin), with nothing else changing.
            try await waitUntil("the status records the last revision", timeout: .seconds(ReplicationStatusWrite.progressRefreshSeconds + 10)) {
                guard let status = try await f.hub.resource(ReplicationRule.self).get("global", namespace: "shop").status,
                    let read = status.sourceRevision.flatMap({ Int64($0) }), let last = Int64(lastVersion)
                else { return false }
                return read >= last && status.targets.first?.syncedRevision == status.sourceRevision
            }
            #expect(Self.counter(metrics, "concord_replication_status_writes_total") - writesBefore <= 3)
            // Built on the progress deferred, not on the older status written: the last sync time is
            // that of the pass that carried the last edit (whole seconds), although the pass that
            // wrote found nothing to write.
            let status = try #require(try await f.hub.resource(ReplicationRule.self).get("global", namespace: "shop").status)
            let synced = try #require(status.targets.first?.lastSyncTime?.date)
            #expect(synced >= lastEdit.addingTimeInterval(-1), "lastSyncTime \(synced), the last edit at \(lastEdit)")
        }
    }
}

extension ReplicationStatusWritesTests {
    /// A Periodic rule plans every `intervalSeconds`, start to start: waking to write the status
    /// progress its last pass deferred (five seconds after a write) plans nothing, and that progress
    /// still lands.
    @Test func aPeriodicRulePlansAtItsIntervalOnlyAndItsProgressStillLands() async throws {
        let metrics = RuntimeMetrics()
        try await Setup.withFederation(["us-east": "us-east-1", "us-west": "us-west-2"], primary: "us-east", metrics: metrics) { f in
            let source = f.members["us-east"]!, west = f.members["us-west"]!
            try await Setup.createNamespace("shop", in: source)
            try await Setup.configMap("flags", ["v": "0"], labels: ["scope": "global"], in: source)
            var rule = Setup.rule()
            rule.spec.mode = .periodic
            rule.spec.intervalSeconds = 8
            try await f.createRule(rule)
            try await f.waitForStatus("Ready and in sync") { $0.conditions.isTrue("Ready") && $0.targets.first?.state == .synced }
            // One edit, carried by the next pass (up to 8 s), then no source change for two more intervals.
            _ = try await source.resource(ConfigMap.self).patch("flags", namespace: "shop", type: .merge, patch: ["data": ["v": "1"]])
            try await waitUntil("the edit carried", timeout: .seconds(30)) { try await Setup.data("flags", in: west) == ["v": "1"] }
            let carried = Date()
            // The next two passes, each waited for with a deadline: due 8 s after the start of the one
            // before, not when the progress it deferred is written (5 s after its status write).
            var previous = carried
            for pass in 1...2 {
                let before = Self.counter(metrics, "concord_replication_passes_total")
                try await waitUntil("pass \(pass) after the carry", timeout: .seconds(30), every: .milliseconds(50)) {
                    Self.counter(metrics, "concord_replication_passes_total") > before
                }
                let gap = Date().timeIntervalSince(previous)
                #expect(gap >= 6, "pass \(pass) came \(gap) s after the one before, with intervalSeconds 8")
                previous = Date()
            }
            let status = try #require(try await f.hub.resource(ReplicationRule.self).get("global", namespace: "shop").status)
            let synced = try #require(status.targets.first?.lastSyncTime?.date)
            #expect(synced >= carried.addingTimeInterval(-9), "the progress of the pass that carried the edit landed: lastSyncTime \(synced)")
        }
    }
}
