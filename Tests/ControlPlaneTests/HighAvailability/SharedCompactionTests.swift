import ConcordTesting
import Foundation
import KubernetesAPI
import Logging
import Testing

@testable import ControlPlane

/// Servers sharing one etcd compact its history once per interval between them, never each on its own.
@Suite("Compaction shared between servers")
struct SharedCompactionTests {
    @Test func eachRoundOneServerCompactsToTheRevisionOfTheRoundBefore() async throws {
        // Compaction is cluster-wide: this test gets an etcd of its own.
        let own = try await LocalEtcd.start()
        defer { own.stop() }
        let transport = try EtcdHTTPTransport(configuration: EtcdStorageConfiguration(endpoints: own.clientURLs))
        let marks = [CompactionMark(), CompactionMark()]
        let servers = marks.map {
            EtcdCompactor(transport: transport, prefix: "/concord", interval: .seconds(300), clock: ContinuousClock(), mark: $0, logger: Logger(label: "test"))
        }
        func write(_ n: Int) async throws {
            for i in 0..<n { _ = try await transport.call("kv/put", ["key": EtcdWire.base64("/other/k\(i)"), "value": EtcdWire.base64("v")]) }
        }
        func readable(at revision: Int64) async -> Bool {
            do {
                _ = try await transport.call("kv/range", ["key": EtcdWire.base64("/other/k0"), "revision": EtcdWire.int(revision)])
                return true
            } catch {
                return false
            }
        }
        // Round 1: the first server records the revision; nothing is compacted yet.
        var a = try await servers[0].round(seenVersion: 0, previousRevision: 0)
        var b = try await servers[1].round(seenVersion: 0, previousRevision: 0)
        #expect(a.0 == 1 && b.0 == 1)
        #expect(marks[0].revision == 0 && marks[1].revision == 0)
        let recorded = a.1
        try await write(5)
        // Round 2: the first server again wins the swap and compacts to round 1's revision; the second does nothing.
        a = try await servers[0].round(seenVersion: a.0, previousRevision: a.1)
        b = try await servers[1].round(seenVersion: b.0, previousRevision: b.1)
        #expect(marks[0].revision == recorded)
        #expect(marks[1].revision == 0)
        #expect(await !readable(at: recorded - 1))
        #expect(await readable(at: recorded))
        try await write(5)
        // Round 3: the second server goes first this time; it alone compacts, to the revision it saw in round 2.
        let secondsRecorded = b.1
        b = try await servers[1].round(seenVersion: b.0, previousRevision: b.1)
        a = try await servers[0].round(seenVersion: a.0, previousRevision: a.1)
        #expect(marks[1].revision == secondsRecorded)
        #expect(marks[0].revision == recorded)
        #expect(await readable(at: secondsRecorded))
        #expect(await !readable(at: secondsRecorded - 1))
        #expect(a.0 == b.0)
        try await transport.shutdown()
    }
}
