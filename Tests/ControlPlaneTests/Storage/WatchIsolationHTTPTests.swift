import AsyncHTTPClient
import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// A watcher that stops reading never holds up writers or other watchers: its bounded buffers fill,
/// the server ends it with an ERROR 410 Expired event (it must relist), and everyone else keeps pace.
@Suite("Watch isolation over HTTP", .serialized)
struct WatchIsolationHTTPTests {
    static let path = "/api/v1/namespaces/default/configmaps"
    static let writers = 4

    /// A client whose read timeout outlasts a watcher that deliberately does not read for a long time.
    static let patientClient = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(600))))

    // SQLite only: it sets the store's per-watch buffer (watchBufferCapacity) and counts ended watches, which only SQLiteObjectStore offers.
    @Test func aSlowWatcherGetsExpiredInItsStreamWhileWritersAndOtherWatchersKeepTheirPace() async throws {
        let opened = LockedBox<SQLiteObjectStore?>(nil)
        try await withTestControlPlane(configure: { config in
            config.makeStore = { directory in
                let store = try SQLiteObjectStore(
                    directory: URL(fileURLWithPath: directory), configuration: SQLiteObjectStoreConfiguration(watchBufferCapacity: 256))
                opened.update { $0 = store }
                return store
            }
        }) { plane in
            let store = try #require(opened.value)
            let client = APIClient(plane)
            let start = try await Self.listRevision(client)
            try await withThrowingTaskGroup(of: [Int64].self) { fastWatchers in
                for _ in 0..<3 {
                    let lines = try await client.watch(Self.path + "?watch=true&resourceVersion=\(start)")
                    fastWatchers.addTask { try await Self.revisions(lines, until: "sentinel") }
                }
                let baseline = try await Self.writeConcurrently(client, phase: "baseline", perWriter: 50)

                let slowStart = try await Self.listRevision(client)
                var slowRequest = HTTPClientRequest(url: plane.baseURL.absoluteString + Self.path + "?watch=true&resourceVersion=\(slowStart)")
                slowRequest.headers.add(name: "Authorization", value: "Bearer \(plane.token)")
                let slowResponse = try await Self.patientClient.execute(slowRequest, timeout: .seconds(30))
                #expect(slowResponse.status.code == 200)
                // The slow watcher reads nothing while the writers go on until the server gives up on it.
                let overflow = try await Self.writeConcurrently(client, phase: "overflow", perWriter: 25_000) {
                    store.terminatedWatchCount > 0
                }
                #expect(store.terminatedWatchCount == 1, "the slow watcher was never ended")
                let after = try await Self.writeConcurrently(client, phase: "after", perWriter: 50)
                let sentinel = try await client.post(Self.path, Self.configMap("sentinel"))
                #expect(sentinel.status == 201)
                let last = try #require(Int64(sentinel.json.value(at: ["metadata", "resourceVersion"])?.stringValue ?? ""))

                // Every fast watcher saw every write, in order.
                for try await revisions in fastWatchers {
                    #expect(revisions == Array((start + 1)...last), "a fast watcher missed or repeated events")
                }
                // The writers were never blocked by the slow watcher: every phase completed (how much their
                // latency moves is measured by hack/bench/run.sh, "a watcher that stops reading").
                #expect(!baseline.isEmpty && !overflow.isEmpty && !after.isEmpty)

                // The slow watcher, reading at last, gets a gap-free prefix and then ERROR 410 Expired.
                let (events, error) = try await Self.readUntilError(WatchLines(status: 200, body: slowResponse.body))
                #expect(!events.isEmpty)
                #expect(events == Array((slowStart + 1)..<(slowStart + 1 + Int64(events.count))), "the slow watcher's events have a gap")
                #expect(error?["type"] == "ERROR")
                #expect(error?.value(at: ["object", "code"]) == .int(410))
                #expect(error?.value(at: ["object", "reason"]) == "Expired")
                try await waitUntil("the slow watcher's storage watch is released", timeout: .seconds(30)) { store.activeWatchCount <= ServerWatches.controllers + 3 }
            }
        }
    }

    // MARK: Helpers

    static func configMap(_ name: String) -> JSONValue {
        Fixtures.configMap(name, data: ["pad": String(repeating: "x", count: 4096)])
    }

    static func listRevision(_ client: APIClient) async throws -> Int64 {
        let list = try await client.get(path + "?limit=1")
        return try #require(Int64(list.json.value(at: ["metadata", "resourceVersion"])?.stringValue ?? ""))
    }

    /// `writers` sequential writers, each creating up to `perWriter` ConfigMaps (or until `stop` holds);
    /// returns the names created.
    static func writeConcurrently(
        _ client: APIClient, phase: String, perWriter: Int, stop: @escaping @Sendable () -> Bool = { false }
    ) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String].self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var created: [String] = []
                    for index in 0..<perWriter {
                        if stop() { break }
                        let name = "\(phase)-\(writer)-\(index)"
                        let reply = try await client.post(path, configMap(name))
                        guard reply.status == 201 else { throw DeadlineExceeded(what: "create answered \(reply.status): \(reply.text)") }
                        created.append(name)
                    }
                    return created
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// The revisions of a watch's events until (and including) the object named `name`.
    static func revisions(_ lines: WatchLines, until name: String) async throws -> [Int64] {
        var revisions: [Int64] = []
        for try await line in lines {
            guard let rv = line.value(at: ["object", "metadata", "resourceVersion"])?.stringValue.flatMap({ Int64($0) }) else {
                throw DeadlineExceeded(what: "an event with a resourceVersion, got \(line)")
            }
            revisions.append(rv)
            if line.value(at: ["object", "metadata", "name"])?.stringValue == name { break }
        }
        return revisions
    }

    /// Reads events until an ERROR event; returns the events' revisions and the ERROR event.
    static func readUntilError(_ lines: WatchLines) async throws -> ([Int64], JSONValue?) {
        try await withDeadline(120, "reading the slow watcher's stream") {
            var revisions: [Int64] = []
            for try await line in lines {
                if line["type"] == "ERROR" { return (revisions, line) }
                revisions.append(Int64(line.value(at: ["object", "metadata", "resourceVersion"])?.stringValue ?? "") ?? -1)
            }
            return (revisions, nil)
        }
    }
}
