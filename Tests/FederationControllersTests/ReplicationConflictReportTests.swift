import ConcordTesting
import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient
import Testing

/// What a rule's status says about a conflict as the controller runs: a restore the member refuses is
/// listed as failed with the member's reason, and ConflictsDetected goes False once no listed
/// conflict is open, while the list keeps it as history.
@Suite(.serialized) struct ReplicationConflictReportTests {
    typealias Setup = ReplicationTestSetup

    @Test func aRefusedRestoreIsListedAsFailedAndTheConflictBecomesHistoryOnceSettled() async throws {
        try await Setup.withFederation(["a": "us-east-1", "b": "us-west-2"], primary: "a") { f in
            let source = f.members["a"]!, b = f.members["b"]!
            try await Setup.createNamespace("shop", in: source)
            try await Setup.configMap("flags", ["color": "blue"], labels: ["scope": "global"], in: source)
            try await f.createRule(Setup.rule())
            try await waitUntil("replica", timeout: .seconds(30)) { try await Setup.data("flags", in: b) == ["color": "blue"] }
            // A person changes the replica and makes it immutable: the restore is refused (422).
            _ = try await b.resource(ConfigMap.self).patch("flags", namespace: "shop", type: .merge, patch: ["data": ["color": "red"], "immutable": true])
            try await f.waitForStatus("the restore listed as failed, with the member's reason") { s in
                s.conflicts.count == 1 && s.conflictsTotal == 1 && s.conditions.isTrue("ConflictsDetected")
                    && s.conflicts[0].message?.contains("SourceWins: restoring it failed (") == true
                    && s.conflicts[0].message?.contains("HTTP 422") == true
                    && s.conflicts[0].message?.hasSuffix("retried on the next pass.") == true
            }
            #expect(try await Setup.data("flags", in: b) == ["color": "red"])
            // The person deletes the replica: Concord writes it again, and nothing is open any more.
            try await b.resource(ConfigMap.self).delete("flags", namespace: "shop")
            try await waitUntil("replica written again", timeout: .seconds(30)) { try await Setup.data("flags", in: b) == ["color": "blue"] }
            try await f.waitForStatus("the conflict is history") { s in
                s.conditions.condition("ConflictsDetected")?.status == .false && s.conditions.condition("ConflictsDetected")?.reason == "NoOpenConflicts"
                    && s.conflicts.count == 1 && s.conflictsTotal == 1 && s.conditions.isTrue("Ready")
            }
        }
    }
}
