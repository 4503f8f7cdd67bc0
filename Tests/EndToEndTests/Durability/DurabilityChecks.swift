import FederationAPI
import KubeClient
import Testing

/// The invariants a kill-and-restart run must hold, checked after the run.
enum DurabilityChecks {
    /// Every acknowledged write is stored with at least its resourceVersion and `seq`; no two listed
    /// objects share a resourceVersion.
    static func verifyStoredState(_ list: ObjectList<JSONValue>, startRevision: Int64, ledger: WriteLedger) {
        var stored: [String: (revision: Int64, seq: Int)] = [:]
        var revisions = Set<Int64>()
        for item in list.items {
            guard let name = item.value(at: ["metadata", "name"])?.stringValue,
                let revision = item.value(at: ["metadata", "resourceVersion"])?.stringValue.flatMap({ Int64($0) })
            else {
                Issue.record("listed object without name or numeric resourceVersion: \(item)")
                continue
            }
            #expect(revisions.insert(revision).inserted, "resourceVersion \(revision) appears twice in the list")
            stored[name] = (revision, ConfigMapWriter.seq(item) ?? -1)
        }
        let acknowledged = ledger.acknowledged
        let lost = acknowledged.filter { write in
            guard let current = stored[write.name] else { return true }
            return current.revision < write.revision || current.seq < write.seq
        }
        #expect(lost.isEmpty, "\(lost.count) acknowledged writes are missing after kill -9, first: \(lost.prefix(5))")
        let acknowledgedRevisions = acknowledged.map(\.revision)
        #expect(Set(acknowledgedRevisions).count == acknowledgedRevisions.count, "two acknowledged writes got the same resourceVersion")
        #expect(acknowledgedRevisions.allSatisfy { $0 > startRevision })
    }

    /// The watch resumed across restarts saw every revision after `from` up to `through` exactly once,
    /// in order (only ConfigMaps in one namespace are written, so the sequence is contiguous), every
    /// acknowledged write at its revision, and each object's ADDED before its MODIFIEDs.
    static func verifyWatch(_ watcher: ResumingWatcher, from: Int64, through: Int64, ledger: WriteLedger) {
        #expect(watcher.problems.isEmpty, "the resumed watch failed: \(watcher.problems)")
        let events = watcher.events
        var expected = from + 1
        for event in events {
            if event.revision != expected {
                Issue.record("watch revision \(event.revision) where \(expected) was due: a \(event.revision < expected ? "duplicate" : "gap")")
                break
            }
            expected += 1
        }
        #expect(expected == through + 1, "the watch ended at \(expected - 1), the store is at \(through)")
        let byRevision = Dictionary(events.map { ($0.revision, $0) }, uniquingKeysWith: { first, _ in first })
        let unseen = ledger.acknowledged.filter { byRevision[$0.revision]?.name != $0.name }
        #expect(unseen.isEmpty, "\(unseen.count) acknowledged writes never reached the watcher, first: \(unseen.prefix(5))")
        var known = Set<String>()
        for event in events {
            let isNew = known.insert(event.name).inserted
            #expect(event.type == (isNew ? .added : .modified), "unexpected \(event)")
        }
    }

    /// One fresh watch from `from`, read until `through`: the history as the store kept it.
    static func replay(_ configMaps: DynamicResourceClient, namespace: String, from: Int64, through: Int64) async throws -> [SeenEvent] {
        let options = WatchOptions(list: ListOptions(resourceVersion: String(from)), allowWatchBookmarks: false)
        let stream = try await configMaps.watchEvents(namespace: namespace, options: options)
        return try await withThrowingTaskGroup(of: [SeenEvent]?.self) { group in
            group.addTask {
                var seen: [SeenEvent] = []
                for try await event in stream {
                    switch event {
                    case .object(let type, let object):
                        let revision = try ConfigMapWriter.revision(object)
                        seen.append(SeenEvent(type: type, name: object.value(at: ["metadata", "name"])?.stringValue ?? "", revision: revision))
                        if revision >= through { return seen }
                    case .error(let status):
                        throw E2EError("replaying history from \(from) failed: \(status.code ?? 0) \(status.message ?? "")")
                    case .bookmark:
                        continue
                    }
                }
                return seen
            }
            // A deadline for the replay.
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let seen = first else { throw E2EError("replaying history from \(from) timed out") }
            return seen
        }
    }
}
