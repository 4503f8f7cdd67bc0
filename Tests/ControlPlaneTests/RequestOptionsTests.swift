import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// `resourceVersionMatch`, `sendInitialEvents` and watch timeouts, as kube-apiserver validates and serves them.
struct RequestOptionsTests {
    static let cms = "/api/v1/namespaces/default/configmaps"

    typealias Rejection = (query: String, message: String)

    /// kube-apiserver's ListOptions validation: 422 Invalid on `ListOptions.meta.k8s.io ""`.
    static let rejections: [Rejection] = [
        ("?resourceVersionMatch=NotOlderThan", #"resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"#),
        ("?resourceVersionMatch=Exact&resourceVersion=0", #"resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0""#),
        ("?resourceVersionMatch=Newest&resourceVersion=1", #"resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", """#),
        ("?resourceVersionMatch=NotOlderThan&resourceVersion=1&continue=abc", #"resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided"#),
        ("?sendInitialEvents=true", #"sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list"#),
        ("?watch=true&sendInitialEvents=true", #"resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"#),
        ("?watch=true&resourceVersionMatch=NotOlderThan", #"resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"#),
        ("?watch=true&sendInitialEvents=true&resourceVersionMatch=Exact&resourceVersion=1",
         #"[resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]"#),
    ]

    @Test(arguments: TestStorage.allCases, rejections)
    func invalidListOptionsAre422WithKubeApiserversMessage(_ storage: TestStorage, rejection: Rejection) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane).get(Self.cms + rejection.query)
            #expect(reply.status == 422, "\(rejection.query)")
            #expect(reply.json["reason"] == "Invalid")
            #expect(reply.json["message"] == .string(#"ListOptions.meta.k8s.io "" is invalid: "# + rejection.message), "\(rejection.query)")
            #expect(reply.json.value(at: ["details", "kind"]) == "ListOptions")
            #expect(reply.json.value(at: ["details", "group"]) == "meta.k8s.io")
        }
    }

    @Test(arguments: TestStorage.allCases) func listsAtARevisionServeNotOlderThanAndExactAtTheCurrentRevision(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            let rv = try #require(try await client.get(Self.cms).json.value(at: ["metadata", "resourceVersion"])?.stringValue)
            let notOlder = try await client.get(Self.cms + "?resourceVersion=1&resourceVersionMatch=NotOlderThan")
            #expect(notOlder.status == 200)
            #expect(notOlder.json["items"]?.arrayValue?.count == 1)
            #expect(try await client.get(Self.cms + "?resourceVersion=\(rv)&resourceVersionMatch=Exact").status == 200)
            _ = try await client.post(Self.cms, Fixtures.configMap("b"))
            let old = try await client.get(Self.cms + "?resourceVersion=\(rv)&resourceVersionMatch=Exact")
            switch storage {
            case .sqlite:
                // SQLite keeps no old states: an Exact list at an older revision is 410.
                #expect(old.status == 410)
                #expect(old.json["reason"] == "Expired")
            case .etcd:
                // etcd serves it from its history, as kube-apiserver does: the state at that revision.
                #expect(old.status == 200)
                #expect(old.json["items"]?.arrayValue?.compactMap { $0.value(at: ["metadata", "name"])?.stringValue } == ["a"])
            }
        }
    }

    @Test(arguments: TestStorage.allCases) func aRevisionNewerThanTheStoreIs504TooLarge(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage, ownEtcd: true) { plane in
            let client = APIClient(plane)
            let rv = Int64(try #require(try await client.get(Self.cms).json.value(at: ["metadata", "resourceVersion"])?.stringValue))!
            for query in ["?resourceVersion=\(rv + 100)&resourceVersionMatch=NotOlderThan", "?watch=true&resourceVersion=\(rv + 100)"] {
                let reply = try await client.get(Self.cms + query)
                #expect(reply.status == 504, "\(query)")
                #expect(reply.json["message"] == .string("Too large resource version: \(rv + 100), current: \(rv)"))
                #expect(reply.json.value(at: ["details", "causes"])?.arrayValue?.first?["reason"] == "ResourceVersionTooLarge")
            }
        }
    }

    @Test(arguments: TestStorage.allCases) func streamingListSendsEveryObjectThenTheInitialEventsEndBookmarkThenChanges(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage, ownEtcd: true) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            _ = try await client.post(Self.cms, Fixtures.configMap("b"))
            let rv = try #require(try await client.get(Self.cms).json.value(at: ["metadata", "resourceVersion"])?.stringValue)
            let stream = try await client.watch(
                Self.cms + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=")
            #expect(stream.status == 200)
            var events = stream.makeAsyncIterator()
            var names: [String] = []
            for _ in 0..<2 {
                let event = try #require(try await events.next())
                #expect(event["type"] == "ADDED")
                names.append(event.value(at: ["object", "metadata", "name"])?.stringValue ?? "")
            }
            #expect(names == ["a", "b"])
            let end = try #require(try await events.next())
            #expect(end["type"] == "BOOKMARK")
            #expect(end.value(at: ["object", "metadata", "annotations", "k8s.io/initial-events-end"]) == "true")
            #expect(end.value(at: ["object", "metadata", "resourceVersion"]) == .string(rv))
            _ = try await client.post(Self.cms, Fixtures.configMap("c"))
            let live = try #require(try await events.next())
            #expect(live["type"] == "ADDED")
            #expect(live.value(at: ["object", "metadata", "name"]) == "c")
        }
    }

    @Test(arguments: TestStorage.allCases) func streamingListWithoutBookmarksSendsNoEndMarker(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            var events = try await client.watch(
                Self.cms + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=1"
            ).makeAsyncIterator()
            #expect(try await events.next()?["type"] == "ADDED")
            _ = try await client.post(Self.cms, Fixtures.configMap("b"))
            let next = try #require(try await events.next())
            #expect(next["type"] == "ADDED")
            #expect(next.value(at: ["object", "metadata", "name"]) == "b")
        }
    }

    @Test(arguments: TestStorage.allCases) func sendInitialEventsFalseWatchesChangesOnly(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("old"))
            var events = try await client.watch(
                Self.cms + "?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan"
            ).makeAsyncIterator()
            _ = try await client.post(Self.cms, Fixtures.configMap("new"))
            let first = try #require(try await events.next())
            #expect(first.value(at: ["object", "metadata", "name"]) == "new")
        }
    }

    @Test(arguments: TestStorage.allCases) func streamingListEndsCleanlyAfterTimeoutSeconds(_ storage: TestStorage) async throws {
        let clock = ManualClock()
        try await withTestControlPlane(storage: storage, ownEtcd: true, configure: { $0.clock = clock }) { plane in
            let client = APIClient(plane)
            _ = try await client.post(Self.cms, Fixtures.configMap("a"))
            var events = try await client.watch(
                Self.cms + "?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=5"
            ).makeAsyncIterator()
            #expect(try await events.next()?["type"] == "ADDED")
            #expect(try await events.next()?["type"] == "BOOKMARK")
            // The periodic bookmark timer and the timeout sleep on the clock.
            try await clock.waitForSleepers(2 + storage.serverSleepers)
            clock.advance(by: .seconds(5))
            #expect(try await events.next() == nil)
        }
    }
}
