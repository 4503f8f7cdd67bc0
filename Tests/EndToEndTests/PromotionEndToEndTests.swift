import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `concord up` at default settings: a planned handover, a frozen majority that must not promote,
/// a killed primary that must be replaced and fenced, and a requested failback.
@Suite(.serialized) struct PromotionEndToEndTests {
    /// What the hub and the members say about the primary.
    struct Federation {
        let hub: Kubectl
        let members: [String: Kubectl]

        func policy(_ path: String) async throws -> String {
            try await hub("get", "fp", "global", "-o", "jsonpath={\(path)}").stdout
        }
        func primaryAndEpoch() async throws -> String { try await policy(".status.primary}/{.status.epoch") }
        func role(_ dc: String) async throws -> String {
            try await hub("get", "dc", dc, "-o", "jsonpath={.status.role}").stdout
        }
        /// `primary/epoch` from a member's fencing marker.
        func marker(_ dc: String) async throws -> String {
            let k = try #require(members[dc])
            return try await k("get", "cm", "concord-federation", "-n", "concord-system", "-o", "jsonpath={.data.primary}/{.data.epoch}", timeout: .seconds(10)).stdout
        }
        func condition(_ type: String) async throws -> String {
            try await policy(".status.conditions[?(@.type==\"\(type)\")].reason}: {.status.conditions[?(@.type==\"\(type)\")].message")
        }
    }

    @Test func handoverQuorumFreezeFailoverFencingAndFailback() async throws {
        let dir = try makeTempDirectory("concord-promote")
        defer { removeTestDirectory(dir) }
        let up = try Background(try concordBinary(), ["up", "--datacenters", "3", "--data-dir", dir.path], logPath: dir.appendingPathComponent("up.log").path)
        var restarted: ServerProcess?
        var frozen: [Int32] = []
        var children: [Int32] = []
        defer {
            // concord up stops its children on SIGINT; on a failure path kill them directly, so nothing outlives the test.
            for pid in frozen { kill(pid, SIGCONT) }
            restarted?.process.signal(SIGKILL)
            up.signal(SIGKILL)
            for pid in children { kill(pid, SIGKILL) }
        }
        let started = try await eventually(timeout: .seconds(120), every: .milliseconds(200)) {
            guard up.exitStatus == nil else { throw E2EError("concord up exited:\n\(up.log)") }
            return up.log.contains("Press Ctrl-C")
        }
        try #require(started, "concord up did not finish starting:\n\(up.log)")
        let layout = try JSONDecoder().decode(UpEndToEndTests.Layout.self, from: Data(contentsOf: dir.appendingPathComponent("up.json")))
        children = ([layout.hub.pid, layout.controller?.pid] + layout.datacenters.map(\.pid)).compactMap { $0 }
        var members: [String: Kubectl] = [:]
        for m in layout.datacenters { members[m.name] = try Kubectl(kubeconfig: m.kubeconfig) }
        let hubConfig = dir.appendingPathComponent("hub.kubeconfig").path
        let fed = Federation(hub: try Kubectl(kubeconfig: hubConfig), members: members)
        let pid = { (name: String) throws -> Int32 in try #require(layout.datacenters.first { $0.name == name }?.pid) }
        let concord = { (args: String...) async throws -> CommandResult in
            try await run(try concordBinary(), args + ["--kubeconfig", hubConfig], timeout: .seconds(120))
        }

        #expect(try await fed.primaryAndEpoch() == "us-east/1")
        let everyMarker = { (expected: String, names: [String]) async throws -> Bool in
            for name in names where try await fed.marker(name) != expected { return false }
            return true
        }
        #expect(try await eventually(timeout: .seconds(10), every: .milliseconds(100)) { try await everyMarker("us-east/1", ["us-east", "us-west", "eu-central"]) })

        // 1. Planned handover with the CLI: prints the new epoch; every marker and role follows.
        let handover = try await concord("datacenter", "promote", "us-west")
        #expect(handover.succeeded, "\(handover.stdout)\(handover.stderr)")
        #expect(handover.stdout.contains("datacenter/us-west promoted: primary of federationpolicy/global at epoch 2"), "\(handover.stdout)")
        #expect(try await fed.primaryAndEpoch() == "us-west/2")
        #expect(try await everyMarker("us-west/2", ["us-east", "us-west", "eu-central"]))
        #expect(try await eventually(timeout: .seconds(10), every: .milliseconds(100)) {
            let west = try await fed.role("us-west"), east = try await fed.role("us-east")
            return west == "Primary" && east == "Secondary"
        })
        #expect(try await fed.policy(".status.lastPromotion.reason") == "PlannedPromotion")

        // 2. Freeze the primary and one more member: the controller reaches 1 of 3, so it must not
        //    promote even after unreachableForSeconds (30 s), and the status says why.
        frozen = [try pid("us-west"), try pid("eu-central")]
        for p in frozen { kill(p, SIGSTOP) }
        let clock = ContinuousClock()
        let frozenAt = clock.now
        #expect(try await eventually(timeout: .seconds(15), every: .milliseconds(100)) {
            try await fed.hub("get", "dc", "us-west", "-o", "jsonpath={.status.phase}").stdout == "Unreachable"
        })
        let blocked = try await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            guard clock.now - frozenAt > .seconds(40) else { return false }
            return try await fed.condition("Ready").hasPrefix("QuorumLost")
        }
        let ready = try await fed.condition("Ready")
        #expect(blocked, "Ready: \(ready)")
        #expect(ready.contains("reaches 1 of 3 members"), "\(ready)")
        #expect(try await fed.primaryAndEpoch() == "us-west/2", "promoted without a majority")
        for p in frozen { kill(p, SIGCONT) }
        frozen = []
        #expect(try await fed.hub("wait", "--for=condition=Ready", "dc/us-west", "dc/eu-central", "--timeout=30s").succeeded)
        // The majority returned together with the primary: no promotion on stale evidence.
        #expect(try await eventually(timeout: .seconds(15), every: .milliseconds(100)) { try await fed.condition("Ready").hasPrefix("PrimaryReady") })
        #expect(try await fed.primaryAndEpoch() == "us-west/2", "promoted when the frozen members resumed")

        // 3. kill -9 the primary: the best candidate is promoted within detection + unreachableForSeconds.
        let victim = try #require(layout.datacenters.first { $0.name == "us-west" })
        let killedAt = clock.now
        kill(try pid("us-west"), SIGKILL)
        let promoted = try await eventually(timeout: .seconds(60), every: .milliseconds(100)) {
            (try await fed.policy(".status.epoch")) == "3"
        }
        let promotionTime = clock.now - killedAt
        let readyAfterKill = try await fed.condition("Ready")
        try #require(promoted, "no promotion after kill -9 of the primary: \(readyAfterKill)")
        print("promotion time after kill -9 of the primary (defaults: 1 s probes, 30 s unreachableForSeconds): \(promotionTime)")
        #expect(promotionTime >= .seconds(30), "promoted before unreachableForSeconds")
        #expect(promotionTime <= .seconds(40), "promotion took \(promotionTime); bound: 4 s detection + 30 s + observation")
        let newPrimary = try await fed.policy(".status.primary")
        #expect(["us-east", "eu-central"].contains(newPrimary))
        #expect(try await fed.policy(".status.lastPromotion.reason") == "PrimaryUnreachable")
        #expect(try await eventually(timeout: .seconds(10), every: .milliseconds(100)) { try await everyMarker("\(newPrimary)/3", ["us-east", "eu-central"]) })

        // 4. The old primary returns: fenced to epoch 3 as Secondary, never primary again.
        restarted = try await ServerProcess.start(
            dataDir: URL(fileURLWithPath: victim.dataDir), port: victim.port, logName: "us-west-restarted", extraArguments: ["--tls"])
        #expect(try await fed.hub("wait", "--for=condition=Ready", "dc/us-west", "--timeout=30s").succeeded)
        #expect(try await eventually(timeout: .seconds(15), every: .milliseconds(100)) { try await fed.marker("us-west") == "\(newPrimary)/3" })
        #expect(try await eventually(timeout: .seconds(10), every: .milliseconds(100)) { try await fed.role("us-west") == "Secondary" })
        #expect(try await fed.primaryAndEpoch() == "\(newPrimary)/3")
        let demoted = try await fed.hub("get", "events.v1.events.k8s.io", "-n", "default", "-o",
                                        #"jsonpath={range .items[?(@.reason=="Demoted")]}{.regarding.name} {.type}{"\n"}{end}"#)
        #expect(demoted.stdout.contains("us-west Warning"), "\(demoted.stdout)")

        // 5. spec.primary still names us-west: promoting it requests the failback (failback: Manual).
        let failback = try await concord("datacenter", "promote", "us-west")
        #expect(failback.succeeded, "\(failback.stdout)\(failback.stderr)")
        #expect(failback.stdout.contains("failback to us-west requested"), "\(failback.stdout)")
        #expect(failback.stdout.contains("at epoch 4"), "\(failback.stdout)")
        #expect(try await fed.primaryAndEpoch() == "us-west/4")
        #expect(try await fed.policy(".status.lastPromotion.reason") == "Failback")
        #expect(try await everyMarker("us-west/4", ["us-east", "us-west", "eu-central"]))

        // Refusals are one line with the fix.
        let cordon = try await concord("datacenter", "cordon", "eu-central")
        #expect(cordon.stdout.contains("datacenter/eu-central cordoned"))
        let refused = try await concord("datacenter", "promote", "eu-central")
        #expect(!refused.succeeded)
        #expect(refused.stderr.contains("concord datacenter uncordon eu-central"), "\(refused.stderr)")
        #expect(try await concord("datacenter", "uncordon", "eu-central").stdout.contains("datacenter/eu-central uncordoned"))

        let status = try await concord("status")
        #expect(status.stdout.contains("primary us-west, epoch 4"), "\(status.stdout)")

        // Ctrl-C stops every child concord up started (the restarted member is the test's own).
        up.signal(SIGINT)
        #expect(await up.waitForExit(timeout: .seconds(30)) == 0, "concord up did not exit cleanly:\n\(up.log)")
        for pid in children {
            #expect(await eventually(timeout: .seconds(10), every: .milliseconds(100)) { !processIsAlive(pid) }, "child \(pid) outlived concord up")
        }
    }
}
