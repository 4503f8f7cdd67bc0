import ConcordTesting
import FederationAPI
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Two `concord controller --leader-elect` against one hub, at the default 15 s / 10 s / 2 s.
@Suite(.serialized) struct LeaderElectionEndToEndTests {
    @Test func onlyTheLeaseHolderReconcilesAndAFollowerTakesOverAfterTheLeaderIsKilled() async throws {
        let dir = try makeTempDirectory("concord-election")
        defer { removeTestDirectory(dir) }
        let hub = try await RuntimeHub.start(in: dir)
        var controllers: [Background] = []
        defer { controllers.forEach { $0.signal(SIGKILL) } }
        try await hub.register("self", region: "local-1", memberKubeconfig: hub.server.kubeconfig)
        let flags = ["--leader-elect", "--leader-election-namespace", FederationGroup.systemNamespace]
        controllers = [try hub.controller("controller-a", flags), try hub.controller("controller-b", flags)]

        let identities = try await waitForIdentities(controllers)
        var holder: String?
        #expect(await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
            holder = await hub.lease()?.spec?.holderIdentity
            return holder.map(identities.contains) ?? false
        }, "no controller acquired the Lease:\n\(controllers.map(\.log).joined(separator: "\n----\n"))")
        let leaderIndex = try #require(identities.firstIndex(of: holder ?? ""))
        let leader = controllers[leaderIndex]
        let follower = controllers[1 - leaderIndex]
        #expect(await hub.lease()?.spec?.leaseTransitions == 0)

        // The leader reconciles: the Datacenter turns Ready. The follower never starts its controller.
        #expect(await eventually(timeout: .seconds(30), every: .milliseconds(100)) { await hub.status("self")?.phase == .ready }, "leader log:\n\(leader.log)")
        #expect(leader.log.contains("Starting workers"))
        #expect(!follower.log.contains("Starting Controller"), "follower reconciled:\n\(follower.log)")
        #expect(await eventually(timeout: .seconds(10), every: .milliseconds(100)) { follower.log.contains("New leader elected") }, "\(follower.log)")

        // kill -9 the leader: the follower takes over once the Lease went unchanged for 15 s (its own observation).
        let clock = ContinuousClock()
        leader.signal(SIGKILL)
        let killedAt = clock.now
        let followerIdentity = identities[1 - leaderIndex]
        let tookOver = await eventually(timeout: .seconds(40), every: .milliseconds(50)) {
            await hub.lease()?.spec?.holderIdentity == followerIdentity
        }
        let takeover = clock.now - killedAt
        print("leader election takeover after kill -9: \(takeover)")
        #expect(tookOver, "follower log:\n\(follower.log)")
        // Bound: 15 s after the follower last saw a renewal (≤ 2 s + one attempt of up to 4.4 s after the kill),
        // then its next attempt (≤ 4.4 s): LeaseDuration + 2 × RetryPeriod × 2.2.
        #expect(takeover >= .seconds(11) && takeover <= .milliseconds(23_800), "takeover took \(takeover)")
        let lease = await hub.lease()
        #expect(lease?.spec?.leaseTransitions == 1)
        #expect(await eventually(timeout: .seconds(10), every: .milliseconds(100)) { follower.log.contains("Starting workers") }, "\(follower.log)")

        // The new leader keeps the Datacenter's status fresh (written at least every 10 s).
        let before = await hub.status("self")?.lastProbeTime?.date ?? .distantPast
        #expect(await eventually(timeout: .seconds(15), every: .milliseconds(100)) { (await hub.status("self")?.lastProbeTime?.date ?? .distantPast) > before })

        follower.signal(SIGTERM)
        #expect(await follower.waitForExit(timeout: .seconds(20)) == 0, "\(follower.log)")
        await hub.stop()
    }

    private func waitForIdentities(_ controllers: [Background]) async throws -> [String] {
        var ids: [String] = []
        let found = await eventually(timeout: .seconds(20), every: .milliseconds(100)) {
            ids = controllers.compactMap(\.electionIdentity)
            return ids.count == controllers.count
        }
        guard found else { throw E2EError("controllers did not start:\n\(controllers.map(\.log).joined(separator: "\n----\n"))") }
        return ids
    }
}
