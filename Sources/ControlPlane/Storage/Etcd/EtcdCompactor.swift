import Foundation
import KubernetesAPI
import Logging
import ServiceLifecycle
import Synchronization

/// The highest compacted revision a store has seen, shared with its compactor.
final class CompactionMark: Sendable {
    private let value = Mutex<Int64>(0)

    /// The revision (0 until a compaction was seen).
    var revision: Int64 { value.withLock { $0 } }

    /// Records a compaction at `revision` (never lowers the mark).
    func raise(to revision: Int64) { value.withLock { $0 = max($0, revision) } }
}

/// Compacts etcd's history every interval, as kube-apiserver does, coordinated between every server
/// that shares the cluster through a compare-and-swap on `<prefix>/compact_rev_key`.
///
/// Each round, a server swaps the key's version from the one it saw last round to the next, recording
/// the current revision; only the server whose swap succeeds compacts, and it compacts to the revision
/// recorded one round earlier, so history of at least one interval is always kept. A server whose swap
/// fails learns the key's version and tries again next round.
struct EtcdCompactor: Service {
    let transport: any EtcdTransport
    let prefix: String
    let interval: Duration
    let clock: any Clock<Duration>
    let mark: CompactionMark
    let logger: Logger

    /// Compacts every interval until graceful shutdown or cancellation; a failed round is logged and retried next interval.
    func run() async throws {
        var seenVersion: Int64 = 0
        var previousRevision: Int64 = 0
        while !Task.isCancelled {
            do {
                try await gracefulSleep()
            } catch {
                return
            }
            do {
                (seenVersion, previousRevision) = try await round(seenVersion: seenVersion, previousRevision: previousRevision)
            } catch {
                logger.warning("etcd compaction failed; trying again next interval", metadata: ["error": "\(error)"])
            }
        }
    }

    private func gracefulSleep() async throws {
        try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) }
    }

    /// One round: returns the compact key's version and the revision to compact to next round.
    func round(seenVersion: Int64, previousRevision: Int64) async throws -> (Int64, Int64) {
        let key = EtcdWire.base64(prefix + "/compact_rev_key")
        let request: JSONValue = [
            "compare": [["key": key, "target": "VERSION", "result": "EQUAL", "version": EtcdWire.int(seenVersion)]],
            "success": [["request_put": ["key": key, "value": EtcdWire.base64(String(previousRevision))]]],
            "failure": [["request_range": ["key": key]]],
        ]
        let response = try EtcdWire.decode(EtcdWire.TxnResponse.self, try await transport.call("kv/txn", request))
        let current = response.header?.revisionValue ?? 0
        guard response.succeeded == true else {
            let version = response.responses?.first?.response_range?.kvs?.first?.versionValue ?? 0
            return (version, current)
        }
        if previousRevision > 0 {
            try await Self.compact(transport, to: previousRevision)
            mark.raise(to: previousRevision)
            logger.debug("Compacted etcd history", metadata: ["revision": "\(previousRevision)"])
        }
        return (seenVersion + 1, current)
    }

    /// Compacts etcd's key-value history through `revision`.
    static func compact(_ transport: any EtcdTransport, to revision: Int64) async throws {
        _ = try await transport.call("kv/compaction", ["revision": EtcdWire.int(revision)])
    }
}
