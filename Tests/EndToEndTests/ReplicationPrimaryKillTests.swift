import ConcordTesting
import FederationAPI
import Foundation
import KubeClient
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of the primary while it takes writes that a `source: Primary` rule replicates: the rule
/// follows the promotion to the new primary, and once the old primary is back every write it
/// acknowledged is accounted for, either replicated to the new primary before the kill or listed
/// as a conflict on the rule and left where it was. The controller is killed ten writes before the
/// primary and started again after it, so those writes never reached a target. Nothing
/// is silently lost, nothing silently applied.
@Suite(.serialized) struct ReplicationPrimaryKillTests {
    static let rule = """
        apiVersion: federation.concord.dev/v1alpha1
        kind: ReplicationRule
        metadata: {name: follow-primary, namespace: shop}
        spec:
          source: Primary
          resources:
          - {apiVersion: v1, kind: ConfigMap, selector: {matchLabels: {scope: global}}}
        """

    @Test func writesTheOldPrimaryAcknowledgedAreReplicatedOrListedAsConflicts() async throws {
        let dir = try makeTempDirectory("concord-replication-primary-kill")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir)
        var restarted: ServerProcess?
        var restartedController: Background?
        defer {
            restarted?.process.signal(SIGKILL)
            restartedController?.signal(SIGKILL)
            fed.killAll()
        }
        let hub = fed.hub
        #expect(try await hub("patch", "fp", "global", "--type", "merge", "-p", #"{"spec":{"promotion":{"unreachableForSeconds":3}}}"#).succeeded)
        try await fed.replicateSample(rule: Self.rule, configMap: "seed", literal: "v=0")
        let old = try #require(fed.layout.datacenters.first { $0.name == "us-east" })

        let controller = try #require(fed.layout.controller?.pid)
        // Creates at the primary, one after another, until a request fails because it was killed.
        let acknowledged = try await withKubeClients(kubeconfig: old.kubeconfig, count: 1) { clients in
            let source = clients[0].dynamic(ReplicationControllerKillTests.configMaps, namespaced: true, kind: "ConfigMap")
            let progress = StopSignal()
            return try await withThrowingTaskGroup(of: [String].self) { group in
                group.addTask {
                    var names: [String] = []
                    while true {
                        let name = "w-\(names.count)"
                        do {
                            _ = try await source.create(ReplicationControllerKillTests.configMap(name, value: "1"), namespace: "shop")
                        } catch {
                            return names
                        }
                        names.append(name)
                        progress.acknowledged()
                    }
                }
                // No controller runs for the last ten writes, so the primary holds writes nobody replicated.
                try await progress.waitForWrites(15)
                kill(controller, SIGKILL)
                try await progress.waitForWrites(10)
                kill(try #require(old.pid), SIGKILL)
                return try await group.next() ?? []
            }
        }
        print("the old primary acknowledged \(acknowledged.count) writes before kill -9")
        restartedController = try Background(try concordBinary(), ["controller", "--kubeconfig", fed.hubConfig], logPath: dir.appendingPathComponent("controller-2.log").path)
        #expect(acknowledged.count >= 10)

        let promoted = try await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
            let primary = try await hub("get", "fp", "global", "-o", "jsonpath={.status.primary}").stdout
            return !primary.isEmpty && primary != "us-east"
        }
        #expect(promoted, "no promotion after kill -9 of the primary")
        let primary = try await hub("get", "fp", "global", "-o", "jsonpath={.status.primary}").stdout
        let followed = try await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
            try await hub("get", "rr", "follow-primary", "-n", "shop", "-o", "jsonpath={.status.sourceDatacenter}").stdout == primary
        }
        #expect(followed, "the rule did not follow the promotion to \(primary)")

        // The old primary comes back on its data dir and port, fenced, as a target.
        restarted = try await ServerProcess.start(dataDir: URL(fileURLWithPath: old.dataDir), port: old.port, logName: "us-east-restarted", extraArguments: ["--tls"])
        let newPrimary = try #require(fed.members[primary])
        let read = { () async throws -> (atPrimary: Set<String>, listed: Set<String>) in
            let atPrimary = Set(try await ReplicationControllerKillTests.selected(newPrimary).keys)
            let conflicts = try await hub("get", "rr", "follow-primary", "-n", "shop", "-o", #"jsonpath={range .status.conflicts[?(@.datacenter=="us-east")]}{.name}{"\n"}{end}"#).stdout
            return (atPrimary, Set(conflicts.split(separator: "\n").map(String.init)))
        }
        let accounted = try await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            let (atPrimary, listed) = try await read()
            return acknowledged.allSatisfy { atPrimary.contains($0) || listed.contains($0) }
        }
        let (atPrimary, listed) = try await read()
        let unaccounted = acknowledged.filter { !atPrimary.contains($0) && !listed.contains($0) }
        #expect(accounted, "writes the old primary acknowledged are neither at \(primary) nor listed as conflicts: \(unaccounted)")
        #expect(atPrimary.isDisjoint(with: listed), "a write listed as a conflict was also applied at \(primary): \(atPrimary.intersection(listed).sorted())")
        print("after the promotion to \(primary): \(acknowledged.filter(atPrimary.contains).count) writes had been replicated, \(listed.count) are listed as conflicts")
        #expect(!listed.isEmpty, "every write had been replicated, so the conflict path was not tested")
    }
}
