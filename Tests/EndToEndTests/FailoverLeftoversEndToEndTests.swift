import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A ServiceFailover deleted while a member is frozen (SIGSTOP) on `concord up`: the deletion gives
/// up on that member after `--member-cleanup-timeout` and says so, and once the member answers
/// again the controller removes the global Service, its EndpointSlices and the standby copy it left
/// there, and records that on the Datacenter.
@Suite(.serialized) struct FailoverLeftoversEndToEndTests {
    @Test func whatADeletionLeftInAFrozenMemberIsRemovedWhenItReturns() async throws {
        let dir = try makeTempDirectory("concord-failover-leftovers")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir, datacenters: 3)
        let westPid = try #require(fed.layout.datacenters.first { $0.name == "us-west" }?.pid)
        defer {
            kill(westPid, SIGCONT)
            fed.killAll()
        }
        let hub = fed.hub
        let east = try #require(fed.members["us-east"]), west = try #require(fed.members["us-west"])
        let deployed = try await east("apply", "-f", "-", stdin: FailoverEndToEndTests.workload)
        try #require(deployed.succeeded, "\(deployed.stderr)")
        let protected = try await hub("apply", "-f", "-", stdin: FailoverEndToEndTests.serviceFailover)
        try #require(protected.succeeded, "\(protected.stderr)")
        let ready = try await hub("wait", "--for=condition=Ready", "sf/payment-api", "-n", "shop", "--timeout=60s", timeout: .seconds(70))
        if !ready.succeeded { Issue.record("not Ready: \(ready.stderr)\n\(try await fed.diagnostics(namespace: "shop"))") }
        try #require(ready.succeeded)
        let left = { () async throws -> String in
            let result = try await west("get", "deployments,services,endpointslices", "-n", "shop", "-l", "federation.concord.dev/service-failover=payment-api", "-o", "name", timeout: .seconds(10))
            return result.stdout.split(separator: "\n").sorted().joined(separator: " ")
        }
        let standby = try await left()
        #expect(standby.contains("service/payment-api-global") && standby.contains("deployment.apps/payment-api"), "\(standby)")

        // us-west frozen, the ServiceFailover deleted: the deletion waits 30 s for it, then gives up and says so.
        kill(westPid, SIGSTOP)
        let deleted = try await hub("delete", "sf", "payment-api", "-n", "shop", "--timeout=90s", timeout: .seconds(100))
        #expect(deleted.succeeded, "\(deleted.stderr)")
        let timedOut = try await hub("get", "events", "-n", "shop", "--field-selector", "reason=CleanupTimedOut", "-o", "jsonpath={.items[*].message}")
        #expect(timedOut.stdout.contains("Could not reach us-west within 30 s"), "\(timedOut.stdout)")

        // Back: what the deletion left there is removed, and the Datacenter's events say what.
        kill(westPid, SIGCONT)
        // (The member's own EndpointSlice of the copied Service goes with that Service.)
        let cleaned = try await eventually(timeout: .seconds(30), every: .milliseconds(500)) { try await left().isEmpty }
        let remaining = try await left()
        #expect(cleaned, "left in us-west: \(remaining)")
        let removed = try await hub("get", "events", "-n", "default", "--field-selector", "reason=LeftoversRemoved,involvedObject.name=us-west", "-o", "jsonpath={.items[*].message}")
        #expect(removed.stdout.contains("Removed what ServiceFailover shop/payment-api left in namespace shop here"), "\(removed.stdout)")
        // us-east's own Deployment and Service were never Concord's: they stay.
        #expect(try await east("get", "deployment/payment-api", "service/payment-api", "-n", "shop").succeeded)
    }
}
