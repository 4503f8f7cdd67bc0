import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An ActiveActive ServiceFailover on `concord up --datacenters 5`, driven with kubectl and the CLI:
/// the weighted division in status and in each member's Deployment, geo-aware global endpoints,
/// `kill -9` of the site with the largest share (its share moves make-before-break, nothing
/// overcommitted), its share given back only after the stabilization window, and a shortfall.
@Suite(.serialized) struct ActiveActiveEndToEndTests {
    @Test func divisionLossReturnAndShortfallOnFiveDatacenters() async throws {
        let dir = try makeTempDirectory("concord-active-active")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir, datacenters: 5)
        var restarted: ServerProcess?
        defer {
            restarted?.process.signal(SIGKILL)
            fed.killAll()
        }
        let hub = fed.hub, members = fed.members
        let east = try #require(members["us-east"]), west = try #require(members["us-west"]), eu = try #require(members["eu-central"])
        let web = ["us-east", "us-west", "eu-central"], others = ["ap-south", "eu-west"]
        let status = { (path: String) async throws -> String in
            try await hub("get", "sf", "web", "-n", "shop", "-o", "jsonpath={\(path)}").stdout
        }
        let jsonpath = { (template: String) async throws -> String in
            try await hub("get", "sf", "web", "-n", "shop", "-o", "jsonpath=\(template)").stdout
        }
        let division = { try await jsonpath(#"{range .status.datacenters[*]}{.name}={.desiredReplicas} {end}"#) }
        let concord = { (args: [String]) async throws -> CommandResult in
            try await run(try concordBinary(), args + ["--kubeconfig", fed.hubConfig], timeout: .seconds(60))
        }

        // Label three datacenters tier=web at the hub; deploy web in us-east; protect it ActiveActive.
        #expect(try await hub("label", "dc", "us-east", "us-west", "eu-central", "tier=web").succeeded)
        let deployed = try await east("apply", "-f", "-", stdin: Self.workload)
        try #require(deployed.succeeded, "\(deployed.stderr)")
        let applied = try await hub("apply", "-f", "-", stdin: Self.serviceFailover)
        try #require(applied.succeeded, "\(applied.stderr)")

        // 12 replicas at 2:1:1 → 6/3/3 in the members' Deployments and in status; nothing in the other two.
        let placed = try await eventually(timeout: .seconds(60), every: .milliseconds(200)) {
            guard try await Self.placement(members, web + others) == "eu-central=3,us-east=6,us-west=3" else { return false }
            return try await status(".status.phase") == "Active"
        }
        let placedState = "\(try await Self.placement(members, web + others)); status \(try await status(".status"))\n\(placed ? "" : try await fed.diagnostics(namespace: "shop"))"
        try #require(placed, "no 6/3/3: \(placedState)")
        #expect(try await division() == "eu-central=3 us-east=6 us-west=3 ")
        #expect(try await hub("wait", "--for=condition=Ready", "sf/web", "-n", "shop", "--timeout=30s").succeeded)
        for name in others { #expect(try await Self.copy(try #require(members[name])) == nil, "\(name) got a copy") }
        // Every member routes to the three; us-west keeps its clients local, ap-south (nothing local) falls back to all.
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            for member in members.values where try await Self.routes(member) != "eu-central:3,us-east:6,us-west:3" { return false }
            return true
        })
        #expect(try await Self.hints(west) == "eu-central>eu-central us-east>us-east us-west>us-west")
        #expect(try await Self.hints(try #require(members["ap-south"])) == "eu-central>ap-south eu-central us-east>ap-south us-east us-west>ap-south us-west")
        // kube-proxy honours the hints only for a Service with topology mode Auto.
        let mode = try await west("get", "service", "web-global", "-n", "shop", "-o", #"jsonpath={.metadata.annotations.service\.kubernetes\.io/topology-mode}"#)
        #expect(mode.stdout == "Auto", "\(mode.stderr)")
        let view = try await concord(["service", "get", "web", "-n", "shop", "--all-datacenters"])
        #expect(view.succeeded, "\(view.stderr)")
        print("concord service get web -n shop --all-datacenters\n\(view.stdout)")

        // kill -9 of us-east (6 of 12): its share goes to us-west and eu-central, which only ever scale up
        // (ready never below 6, never more than 12 placed), and discovery drops us-east once they are ready.
        let victim = try #require(fed.layout.datacenters.first { $0.name == "us-east" })
        let clock = ContinuousClock()
        kill(try #require(victim.pid), SIGKILL)
        let killedAt = clock.now
        var lowestReady = Int.max, mostPlaced = 0, accounted: Set<String> = []
        let moved = try await eventually(timeout: .seconds(60), every: .milliseconds(50)) {
            let w = try await Self.copy(west), e = try await Self.copy(eu)
            lowestReady = min(lowestReady, (w?.ready ?? 0) + (e?.ready ?? 0))
            mostPlaced = max(mostPlaced, (w?.desired ?? 0) + (e?.desired ?? 0))
            accounted.insert(try await jsonpath(#"{.status.datacenters[*].desiredReplicas} +{.status.unplacedReplicas}"#))
            guard w == Copy(desired: 6, ready: 6), e == Copy(desired: 6, ready: 6) else { return false }
            for member in [west, eu] where try await Self.routes(member) != "eu-central:6,us-west:6" { return false }
            return true
        }
        let moveTime = clock.now - killedAt
        let movedState = try await status(".status")
        try #require(moved, "us-east's share never moved: \(movedState)")
        print("kill -9 of the 6-replica datacenter until its share is ready elsewhere and discovery updated (defaults: 1 s probes, unhealthyForSeconds 5): \(moveTime)")
        #expect(moveTime <= .seconds(10), "the redistribution took \(moveTime); bound 10 s")
        #expect(lowestReady >= 6, "ready replicas in us-west and eu-central dropped to \(lowestReady) during the move")
        #expect(mostPlaced <= 12, "\(mostPlaced) replicas placed in us-west and eu-central for a total of 12")
        for seen in accounted {
            let numbers = seen.split(whereSeparator: { $0 == " " || $0 == "+" }).compactMap { Int($0) }
            #expect(numbers.reduce(0, +) == 12, "status placed and unplaced do not add up to 12: \(seen)")
        }
        #expect(try await eventually(timeout: .seconds(10), every: .milliseconds(100)) { try await status(".status.phase") == "Active" })
        #expect(try await status(".status.history[0].reason") == "DatacenterUnreachable")
        #expect(try await status(".status.history[0].to") == "eu-central=6,us-west=6")

        // us-east returns with its stale copy of 6: scaled to 0 at once; its share comes back after the window, never before.
        restarted = try await ServerProcess.start(
            dataDir: URL(fileURLWithPath: victim.dataDir), port: victim.port, logName: "us-east-restarted", extraArguments: ["--tls", "--simulate-workloads"])
        #expect(try await hub("wait", "--for=condition=Ready", "dc/us-east", "--timeout=30s").succeeded)
        let seenReady = clock.now
        var staleGone = false, earliestPlaced: Duration?, lowestTotal = Int.max, mostDesired = 0
        let restored = try await eventually(timeout: .seconds(90), every: .milliseconds(100)) {
            // The shrinking sites first, the growing one last: a sample never under-counts a moment.
            // For the most asked for at once, the growing one first: a scale-up comes before the pass's scale-downs.
            let growing = try await Self.copy(east)
            let w = try await Self.copy(west), e = try await Self.copy(eu), back = try await Self.copy(east)
            if back?.desired == 0 { staleGone = true }
            if staleGone, (back?.desired ?? 0) > 0, earliestPlaced == nil { earliestPlaced = clock.now - seenReady }
            if earliestPlaced != nil {
                lowestTotal = min(lowestTotal, (w?.ready ?? 0) + (e?.ready ?? 0) + (back?.ready ?? 0))
                mostDesired = max(mostDesired, (growing?.desired ?? 0) + (w?.desired ?? 0) + (e?.desired ?? 0))
            }
            guard back == Copy(desired: 6, ready: 6), w == Copy(desired: 3, ready: 3), e == Copy(desired: 3, ready: 3) else { return false }
            return try await Self.routes(west) == "eu-central:3,us-east:6,us-west:3"
        }
        let restoreTime = clock.now - seenReady
        #expect(staleGone, "us-east's stale copy was never scaled to 0")
        let restoredState = "\(try await Self.placement(members, web)); status \(try await status(".status"))"
        try #require(restored, "6/3/3 never came back: \(restoredState)")
        print("us-east Ready again until 6/3/3 is ready and routed (stabilizationSeconds \(Self.window)): \(restoreTime); placed after \(earliestPlaced.map { "\($0)" } ?? "-")")
        // The window counts from the Ready condition's transition; the hub's timestamps are whole seconds.
        let readyText = try await hub("get", "dc", "us-east", "-o", #"jsonpath={.status.conditions[?(@.type=="Ready")].lastTransitionTime}"#).stdout
        let rebalancedText = try await status(".status.history[0].startedAt")
        let readySince = try #require(Self.date(readyText)), rebalancedAt = try #require(Self.date(rebalancedText))
        #expect(try await status(".status.history[0].reason") == "Rebalance")
        #expect(rebalancedAt.timeIntervalSince(readySince) >= TimeInterval(Self.window - 1), "rebalanced \(rebalancedAt.timeIntervalSince(readySince)) s after Ready")
        let placedAfter = try #require(earliestPlaced)
        #expect(placedAfter >= .seconds(Self.window - 3), "us-east got replicas \(placedAfter) after it was seen Ready")
        #expect(lowestTotal >= 12, "ready replicas dropped to \(lowestTotal) while the share came back")
        // A step at a time: never more than a quarter of 12 above the total while it moves.
        #expect(mostDesired <= 15, "\(mostDesired) replicas asked for at once while the share came back (surge bound 3)")

        // At most 3 per datacenter: 3/3/3 and 3 unplaced, reported as Degraded, never overcommitted.
        #expect(try await hub("patch", "sf", "web", "-n", "shop", "--type=merge", "-p", #"{"spec":{"placement":{"maxReplicasPerDatacenter":3}}}"#).succeeded)
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            guard try await Self.placement(members, web + others) == "eu-central=3,us-east=3,us-west=3" else { return false }
            return try await status(".status.phase") == "Degraded"
        })
        #expect(try await status(".status.unplacedReplicas") == "3")
        #expect(try await status(#".status.conditions[?(@.type=="Ready")].reason"#) == "InsufficientCapacity")
        let local = try await concord(["service", "get", "web", "-n", "shop", "--datacenter", "us-west"])
        #expect(local.succeeded, "\(local.stderr)")
        print("concord service get web -n shop --datacenter us-west\n\(local.stdout)")
    }
}
