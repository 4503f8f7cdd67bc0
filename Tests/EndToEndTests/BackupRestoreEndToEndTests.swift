import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Konsul's "DC failure, total" on `concord up`: back up, lose a member with its data, rebuild it
/// from the archive on a new `concord server`; it comes back Secondary at the current epoch with
/// its replicas. A damaged archive writes nothing.
@Suite(.serialized) struct BackupRestoreEndToEndTests {
    @Test func aLostMemberIsRebuiltFromTheBackup() async throws {
        let bin = try concordBinary()
        let dir = try makeTempDirectory("concord-restore")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir)
        defer { fed.killAll() }
        let hub = fed.hub, hubConfig = fed.hubConfig
        let east = try #require(fed.members["us-east"])
        try await fed.replicateSample(rule: StartedFederation.sampleRule, configMap: "flags", literal: "color=blue")

        let archive = dir.appendingPathComponent("federation.backup").path
        let backup = try await run(bin, ["backup", "--kubeconfig", hubConfig, "-o", archive])
        #expect(backup.succeeded, "\(backup.stdout)\(backup.stderr)")
        #expect(backup.stdout.contains("us-west: 2 objects"), "the marker and the replica: \(backup.stdout)")
        print("concord backup: \(backup.stdout)")

        // A planned promotion after the backup: the archived marker is one epoch behind.
        #expect(try await hub("patch", "fp", "global", "--type", "merge", "-p", #"{"spec":{"primary":"eu-central"}}"#).succeeded)
        try #require(try await eventually(timeout: .seconds(60), every: .milliseconds(250)) {
            try await hub("get", "fp", "global", "-o", "jsonpath={.status.primary}/{.status.epoch}").stdout == "eu-central/2"
        })

        // us-west is lost with its data.
        let westMember = try #require(fed.layout.datacenters.first { $0.name == "us-west" })
        kill(try #require(westMember.pid), SIGKILL)
        try FileManager.default.removeItem(atPath: westMember.dataDir)
        try #require(try await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
            try await hub("get", "dc", "us-west", "-o", "jsonpath={.status.phase}").stdout == "Unreachable"
        })

        // A fresh control plane; a damaged archive is refused and writes nothing into it.
        let fresh = try await ServerProcess.start(dataDir: dir.appendingPathComponent("us-west-new"), logName: "us-west-new", extraArguments: ["--tls", "--simulate-workloads"])
        defer { fresh.process.signal(SIGKILL) }
        let damaged = dir.appendingPathComponent("damaged.backup").path
        let text = try String(contentsOfFile: archive, encoding: .utf8)
        try text.replacingOccurrences(of: "color", with: "colour").write(toFile: damaged, atomically: true, encoding: .utf8)
        let refused = try await run(bin, ["restore", "--kubeconfig", hubConfig, "-f", damaged, "--datacenter", "us-west", "--to-kubeconfig", fresh.kubeconfig])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is damaged: its content's SHA-256"), "\(refused.stderr)")
        let newWest = try Kubectl(kubeconfig: fresh.kubeconfig)
        #expect(try await newWest("get", "ns", "shop", "--ignore-not-found").stdout.isEmpty, "a damaged archive wrote into the member")

        let started = ContinuousClock().now
        let restored = try await run(bin, ["restore", "--kubeconfig", hubConfig, "-f", archive, "--datacenter", "us-west", "--to-kubeconfig", fresh.kubeconfig, "--wait"], timeout: .seconds(150))
        #expect(restored.succeeded, "\(restored.stdout)\(restored.stderr)")
        print("concord restore (\(ContinuousClock().now - started)): \(restored.stdout)")
        #expect(restored.stdout.contains("us-west is back: Ready, Secondary, epoch 2"), "\(restored.stdout)")
        // The Datacenter announces the new credentials, so the controller reconnects at once instead
        // of at its next periodic re-read of the Secret (every 30 s).
        let rejoin = restored.stdout.split(separator: "(").last.flatMap { Double($0.split(separator: " ").first ?? "") }
        #expect(rejoin.map { $0 < 10 } == true, "the rejoin took \(rejoin.map { "\($0) s" } ?? "an unknown time") after the credentials were re-pointed: \(restored.stdout)")

        #expect(try await hub("get", "dc", "us-west", "-o", "jsonpath={.status.phase}/{.status.role}").stdout == "Ready/Secondary")
        #expect(try await newWest("get", "cm", "-n", "concord-system", "concord-federation", "-o", "jsonpath={.data.primary}/{.data.epoch}").stdout == "eu-central/2")
        #expect(try await newWest("get", "cm", "flags", "-n", "shop", "-o", "jsonpath={.data.color}").stdout == "blue")
        let annotations = try await newWest("get", "cm", "flags", "-n", "shop", "-o", "jsonpath={.metadata.annotations}").stdout
        #expect(annotations.contains("federation.concord.dev/rule") && annotations.contains("federation.concord.dev/content-hash"), "\(annotations)")

        // Replication keeps it up to date: a new source write reaches the rebuilt member.
        #expect(try await east("-n", "shop", "patch", "configmap", "flags", "--type", "merge", "-p", #"{"data":{"color":"green"}}"#).succeeded)
        #expect(try await eventually(timeout: .seconds(30), every: .milliseconds(250)) {
            try await newWest("get", "cm", "flags", "-n", "shop", "-o", "jsonpath={.data.color}").stdout == "green"
        })
    }

    @Test func theHubIsRebuiltFromTheBackup() async throws {
        let bin = try concordBinary()
        let dir = try makeTempDirectory("concord-restore-hub")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir)
        defer { fed.killAll() }
        try await fed.replicateSample(rule: StartedFederation.sampleRule, configMap: "flags", literal: "color=blue")
        let policy = try await fed.hub("get", "fp", "global", "-o", "jsonpath={.status.primary}/{.status.epoch}").stdout
        let archive = dir.appendingPathComponent("federation.backup").path
        #expect(try await run(bin, ["backup", "--kubeconfig", fed.hubConfig, "-o", archive]).succeeded)

        let fresh = try await ServerProcess.start(dataDir: dir.appendingPathComponent("new-hub"), logName: "new-hub", extraArguments: ["--tls"])
        defer { fresh.process.signal(SIGKILL) }
        let newHub = try Kubectl(kubeconfig: fresh.kubeconfig)
        let foreign = dir.appendingPathComponent("foreign.json").path
        try #"{"kind":"List","items":[]}"#.write(toFile: foreign, atomically: true, encoding: .utf8)
        let refused = try await run(bin, ["restore", "--kubeconfig", fresh.kubeconfig, "-f", foreign, "--hub"])
        #expect(refused.status == 1 && refused.stderr.contains("is not a Concord backup (kind List, expected ConcordBackup)"), "\(refused.stderr)")
        #expect(try await newHub("get", "crd", "-o", "name").stdout.isEmpty, "a foreign archive wrote into the hub")

        let restored = try await run(bin, ["restore", "--kubeconfig", fresh.kubeconfig, "-f", archive, "--hub"])
        #expect(restored.succeeded, "\(restored.stdout)\(restored.stderr)")
        #expect(try await newHub("get", "dc", "-o", "name").stdout.split(separator: "\n").count == 3)
        #expect(try await newHub("get", "fp", "global", "-o", "jsonpath={.status.primary}/{.status.epoch}").stdout == policy, "the epoch does not continue")
        #expect(try await newHub("get", "rr", "global-config", "-n", "shop", "-o", "jsonpath={.spec.source}").stdout == "us-east")
        let secret = try await newHub("get", "secret", "us-west-kubeconfig", "-n", "concord-system", "-o", "jsonpath={.data.kubeconfig}").stdout
        #expect(!secret.isEmpty, "the credentials Secret was not restored")
    }
}
