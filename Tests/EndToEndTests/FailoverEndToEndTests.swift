import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// ServiceFailover on `concord up` at default settings, driven with kubectl and the CLI: warm
/// standbys and global endpoints, `kill -9` of the active datacenter, the old site scaled to 0 on
/// return, Manual failback on request, a SIGSTOP partition, and a planned migration that never
/// empties the global endpoints.
@Suite(.serialized) struct FailoverEndToEndTests {
    static let workload = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: payment-api, namespace: shop}
        spec:
          replicas: 3
          selector: {matchLabels: {app: payment-api}}
          template:
            metadata: {labels: {app: payment-api}}
            spec: {containers: [{name: api, image: example/payment-api:1}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: payment-api, namespace: shop}
        spec:
          selector: {app: payment-api}
          ports: [{name: http, port: 80, targetPort: 8080}]
        """
    static let serviceFailover = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop}
        ---
        apiVersion: federation.concord.dev/v1alpha1
        kind: ServiceFailover
        metadata: {name: payment-api, namespace: shop}
        spec:
          service: payment-api
          primary: us-east
          failover:
          - {datacenter: us-west, replicas: 2}
          - {datacenter: eu-central}
        """

    /// `source-datacenter:endpoint-count` of each global EndpointSlice of `service` (payment-api) in a member, sorted.
    static func routes(_ member: Kubectl, service: String = "payment-api") async throws -> String {
        let result = try await member(
            "get", "endpointslices", "-n", "shop", "-l", "kubernetes.io/service-name=\(service)-global", "-o",
            #"jsonpath={range .items[*]}{.metadata.labels.federation\.concord\.dev/source-datacenter}:{.endpoints[*].addresses[0]}{"\n"}{end}"#,
            timeout: .seconds(10))
        guard result.succeeded else { return "error: \(result.stderr)" }
        return result.stdout.split(separator: "\n").map { line -> String in
            let parts = line.split(separator: ":", maxSplits: 1)
            let count = parts.count > 1 ? parts[1].split(separator: " ").count : 0
            return "\(parts.first ?? ""):\(count)"
        }.sorted().joined(separator: ",")
    }

    /// The value of a Prometheus exposition line.
    static func value(_ line: Substring) -> Double? { line.split(separator: " ").last.flatMap { Double($0) } }

    /// `spec.replicas` of payment-api in a member ("" when absent).
    static func replicas(_ member: Kubectl) async throws -> String {
        try await member("get", "deploy", "payment-api", "-n", "shop", "-o", "jsonpath={.spec.replicas}", timeout: .seconds(10)).stdout
    }

    @Test func standbyKillFailbackPartitionAndMigration() async throws {
        let dir = try makeTempDirectory("concord-failover")
        defer { removeTestDirectory(dir) }
        let fed = try await UpFederation.start(dataDir: dir, log: dir.appendingPathComponent("up.log"))
        var restarted: ServerProcess?
        var stopped: Int32?
        defer {
            if let stopped { kill(stopped, SIGCONT) }
            restarted?.process.signal(SIGKILL)
            fed.stop()
        }
        var members: [String: Kubectl] = [:]
        for m in fed.layout.datacenters { members[m.name] = try Kubectl(kubeconfig: m.kubeconfig) }
        let east = try #require(members["us-east"]), west = try #require(members["us-west"]), eu = try #require(members["eu-central"])
        let hubConfig = dir.appendingPathComponent("hub.kubeconfig").path
        let hub = try Kubectl(kubeconfig: hubConfig)
        let concord = { (args: [String]) async throws -> CommandResult in
            try await run(try concordBinary(), args + ["--kubeconfig", hubConfig], timeout: .seconds(60))
        }
        let status = { (path: String) async throws -> String in
            try await hub("get", "sf", "payment-api", "-n", "shop", "-o", "jsonpath={\(path)}").stdout
        }
        let everywhere = { (expected: String, names: [Kubectl]) async throws -> Bool in
            for member in names where try await Self.routes(member) != expected { return false }
            return true
        }

        // Deploy in the primary, protect it at the hub: standbys at 0, global endpoints from us-east everywhere.
        let deployed = try await east("apply", "-f", "-", stdin: Self.workload)
        try #require(deployed.succeeded, "\(deployed.stderr)")
        let applied = try await hub("apply", "-f", "-", stdin: Self.serviceFailover)
        try #require(applied.succeeded, "\(applied.stderr)")
        #expect(try await hub("wait", "--for=condition=Ready", "sf/payment-api", "-n", "shop", "--timeout=60s").succeeded)
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(200)) {
            let w = try await Self.replicas(west), e = try await Self.replicas(eu)
            guard w == "0", e == "0" else { return false }
            return try await everywhere("us-east:3", [east, west, eu])
        })
        let view = try await concord(["service", "get", "payment-api", "-n", "shop", "--all-datacenters"])
        #expect(view.succeeded, "\(view.stderr)")
        print("concord service get payment-api -n shop --all-datacenters\n\(view.stdout)")
        #expect(view.stdout.contains("us-east") && view.stdout.contains("us-west") && view.stdout.contains("eu-central"))

        // kill -9 of the active datacenter: traffic on us-west within the bound, recorded in history.
        let victim = try #require(fed.layout.datacenters.first { $0.name == "us-east" })
        let clock = ContinuousClock()
        kill(try #require(victim.pid), SIGKILL)
        let killedAt = clock.now
        let moved = try await eventually(timeout: .seconds(60), every: .milliseconds(50)) { try await everywhere("us-west:2", [west, eu]) }
        let failoverTime = clock.now - killedAt
        let afterKill = try await status(".status")
        try #require(moved, "no failover after kill -9 of us-east: \(afterKill)")
        print("failover time after kill -9 of the active datacenter (defaults: 1 s probes, unhealthyForSeconds 5): \(failoverTime)")
        #expect(failoverTime <= .seconds(10), "failover took \(failoverTime); bound 10 s")
        #expect(try await eventually(timeout: .seconds(10), every: .milliseconds(100)) { try await status(".status.phase") == "FailedOver" })
        #expect(try await status(".status.lastTransition.reason") == "DatacenterUnreachable")
        #expect(try await status(".status.history[0].to") == "us-west")

        // The old primary returns: scaled to 0; Manual failback keeps traffic in us-west until asked.
        restarted = try await ServerProcess.start(
            dataDir: URL(fileURLWithPath: victim.dataDir), port: victim.port, logName: "us-east-restarted", extraArguments: ["--tls", "--simulate-workloads"])
        #expect(try await hub("wait", "--for=condition=Ready", "dc/us-east", "--timeout=30s").succeeded)
        #expect(try await eventually(timeout: .seconds(20), every: .milliseconds(100)) { try await Self.replicas(east) == "0" })
        #expect(try await everywhere("us-west:2", [east, west, eu]))
        #expect(try await status(".status.activeDatacenter") == "us-west")
        let failback = try await concord(["service", "failback", "payment-api", "-n", "shop"])
        #expect(failback.succeeded, "\(failback.stderr)")
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(100)) {
            guard try await Self.replicas(west) == "0" else { return false }
            return try await everywhere("us-east:3", [east, west, eu])
        })
        #expect(try await status(".status.lastTransition.reason") == "Failback")

        // A partition (SIGSTOP of the active datacenter): the hub fails over; on return it is scaled to 0.
        let restartedPid = try #require(restarted?.process.pid)
        kill(restartedPid, SIGSTOP)
        stopped = restartedPid
        #expect(try await eventually(timeout: .seconds(60), every: .milliseconds(100)) { try await everywhere("us-west:2", [west, eu]) })
        kill(restartedPid, SIGCONT)
        stopped = nil
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(100)) { try await Self.replicas(east) == "0" })
        #expect(try await status(".status.history[0].reason") == "DatacenterUnreachable")

        // A planned migration to eu-central: the global endpoints are never empty on the way.
        let patched = try await hub("patch", "sf", "payment-api", "-n", "shop", "--type=merge", "-p",
                                    #"{"spec":{"primary":"eu-central","failover":[{"datacenter":"us-west","replicas":2},{"datacenter":"us-east"}]}}"#)
        #expect(patched.succeeded, "\(patched.stderr)")
        var seen: [String] = []
        let migrated = try await eventually(timeout: .seconds(60), every: .milliseconds(50)) {
            let routes = try await Self.routes(west)
            seen.append(routes)
            return routes.hasPrefix("eu-central:") && !routes.contains(",")
        }
        #expect(migrated, "\(seen.suffix(5))")
        #expect(seen.allSatisfy { !$0.isEmpty && !$0.hasSuffix(":0") }, "global endpoints were empty during the migration: \(Set(seen))")
        #expect(try await eventually(timeout: .seconds(20), every: .milliseconds(100)) { try await Self.replicas(west) == "0" })
        #expect(try await status(".status.lastTransition.reason") == "PlannedMigration")
        let events = try await hub("describe", "sf", "payment-api", "-n", "shop")
        #expect(events.stdout.contains("TrafficSwitched"), "\(events.stdout)")

        // The moves are counted when they start, and timed when traffic switched.
        let metrics = try await run("/usr/bin/curl", ["-s", "http://\(try #require(fed.layout.controller?.metrics))/metrics"])
        let lines = metrics.stdout.split(separator: "\n")
        let failovers = lines.filter { $0.hasPrefix("concord_failovers_total{") && $0.contains(#"service="shop/payment-api""#) }
        #expect(failovers.contains { $0.contains(#"reason="DatacenterUnreachable""#) && $0.contains(#"to="us-west""#) && Self.value($0) == 2 }, "\(failovers)")
        #expect(failovers.contains { $0.contains(#"reason="PlannedMigration""#) && $0.contains(#"to="eu-central""#) && Self.value($0) == 1 }, "\(failovers)")
        #expect(lines.contains { $0.hasPrefix("concord_failover_duration_seconds_count{") && Self.value($0) == 4 }, "\(lines.filter { $0.contains("duration") })")
    }
}
