import ConcordTesting
import ControllerRuntime
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Testing

/// A bulk copy runs a batch of creates per pass (`RequeuePolicy.replicationCreatesPerPass`), each
/// pass starting as soon as the last batch is written, until the target holds every object.
@Suite(.serialized) struct ReplicationBulkCopyTests {
    typealias Setup = ReplicationTestSetup

    @Test func aCopyLargerThanABatchReachesEveryTargetBatchByBatch() async throws {
        var requeue = RequeuePolicy()
        requeue.replicationCreatesPerPass = 3
        try await Setup.withFederation(["us-east": "us-east-1", "us-west": "us-west-2", "eu-central": "eu-central-1"], primary: "us-east", requeue: requeue) { f in
            let source = f.members["us-east"]!, west = f.members["us-west"]!, eu = f.members["eu-central"]!
            try await Setup.createNamespace("shop", in: source)
            let names = (0..<11).map { String(format: "bulk-%02d", $0) }
            for name in names { try await Setup.configMap(name, ["n": name], labels: ["scope": "global"], in: source) }
            // A long full resync: only the batches' own passes can finish the copy in time.
            var rule = Setup.rule()
            rule.spec.fullResyncSeconds = 3_600
            try await f.createRule(rule)

            try await waitUntil("all 11 objects in both targets", timeout: .seconds(40)) {
                let held = try await Setup.all("bulk-10", in: [west, eu])
                guard held == [["n": "bulk-10"], ["n": "bulk-10"]] else { return false }
                for client in [west, eu] {
                    let listed = try await client.resource(ConfigMap.self).list(namespace: "shop").items.compactMap(\.metadata.name).filter { $0.hasPrefix("bulk-") }
                    if listed.sorted() != names { return false }
                }
                return true
            }
            try await f.waitForStatus("both targets Synced with 11 objects") { s in
                s.targets.count == 2 && s.targets.allSatisfy { $0.state == .synced && $0.objectsInSync == 11 } && s.conditions.isTrue("Ready")
            }
        }
    }
}
