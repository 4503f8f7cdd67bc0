import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A target frozen with SIGSTOP while the source takes writes: the other target keeps receiving
/// each write promptly (a pass waits for a member's writes at most a second, then leaves them to
/// that member's lane), and the frozen one catches up after SIGCONT. 30 s is long enough for the
/// hub to mark it Unreachable, so the catch-up is that of a member that was away.
@Suite(.serialized) struct ReplicationFrozenTargetTests {
    static let frozenFor: Duration = .seconds(30)

    @Test func aFrozenTargetHoldsBackNoOtherAndCatchesUp() async throws {
        let dir = try makeTempDirectory("concord-replication-frozen")
        defer { removeTestDirectory(dir) }
        let fed = try await StartedFederation.start(in: dir)
        defer { fed.killAll() }
        try await fed.replicateSample(rule: StartedFederation.sampleRule, configMap: "seed", literal: "v=0")
        let east = try #require(fed.members["us-east"]), west = try #require(fed.members["us-west"]), eu = try #require(fed.members["eu-central"])
        let frozen = try #require(fed.layout.datacenters.first { $0.name == "eu-central" }?.pid)

        kill(frozen, SIGSTOP)
        var continued = false
        defer { if !continued { kill(frozen, SIGCONT) } }
        let clock = ContinuousClock()
        let frozenAt = clock.now
        var lags: [Duration] = []
        var index = 0
        while frozenAt.duration(to: clock.now) < Self.frozenFor {
            let name = "f-\(index)"
            index += 1
            let written = clock.now
            #expect(try await east("-n", "shop", "create", "configmap", name, "--from-literal=v=\(index)").succeeded)
            #expect(try await east("-n", "shop", "label", "configmap", name, "scope=global").succeeded)
            let arrived = try await eventually(timeout: .seconds(20), every: .milliseconds(50)) {
                try await west("-n", "shop", "get", "configmap", name, "--ignore-not-found", "-o", "jsonpath={.metadata.name}").stdout == name
            }
            #expect(arrived, "\(name) never reached us-west while eu-central was frozen")
            lags.append(written.duration(to: clock.now))
        }
        #expect(try await fed.hub("get", "dc", "eu-central", "-o", "jsonpath={.status.phase}").stdout == "Unreachable")
        kill(frozen, SIGCONT)
        continued = true
        let continuedAt = clock.now
        print("us-west while eu-central was frozen: \(lags.count) writes, slowest \(lags.max() ?? .zero) from the create to kubectl seeing the replica")
        // Before lanes, a pass waited out the frozen member's 5 s write timeout, and a write made
        // meanwhile waited for that pass: ~5 s. A lane is waited for at most 1 s.
        #expect(lags.max() ?? .zero < .seconds(4), "a write to us-west waited for the frozen eu-central: \(lags)")

        let caughtUp = try await eventually(timeout: .seconds(60), every: .milliseconds(500)) {
            let names = Set(try await eu("-n", "shop", "get", "configmaps", "-l", "scope=global", "-o", "jsonpath={.items[*].metadata.name}").stdout.split(separator: " ").map(String.init))
            return (0..<index).allSatisfy { names.contains("f-\($0)") }
        }
        #expect(caughtUp, "eu-central did not catch up after SIGCONT")
        print("eu-central, Unreachable after \(Self.frozenFor) frozen, had all \(index) writes \(continuedAt.duration(to: clock.now)) after SIGCONT")
        let synced = try await eventually(timeout: .seconds(30), every: .milliseconds(500)) {
            try await fed.hub("get", "rr", "global-config", "-n", "shop", "-o", "jsonpath={.status.targets[*].state}").stdout == "Synced Synced"
        }
        let status = try await fed.hub("get", "rr", "global-config", "-n", "shop", "-o", "yaml").stdout
        #expect(synced, "\(status)")
    }
}
