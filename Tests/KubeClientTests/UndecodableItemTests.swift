import ConcordTesting
import FederationAPI
import Foundation
import KubeClient
import Synchronization
import Testing

private func widget(_ name: String, rv: String, size: JSONValue = 1) -> JSONValue {
    ["apiVersion": "test.concord.dev/v1", "kind": "Widget", "metadata": ["name": .string(name), "namespace": "default", "resourceVersion": .string(rv)], "spec": ["size": size]]
}

private func widgetList(_ items: [JSONValue], rv: String, continueToken: String? = nil) -> KubeResponse {
    var meta: JSONValue = ["resourceVersion": .string(rv)]
    if let continueToken { meta["continue"] = .string(continueToken) }
    return .json(200, ["apiVersion": "test.concord.dev/v1", "kind": "WidgetList", "metadata": meta, "items": .array(items)])
}

private func noJitter(_ clock: ManualClock, _ seen: EventLogBox) -> WatcherConfiguration {
    WatcherConfiguration(
        backoff: Backoff(jitter: 0), watchTimeoutSeconds: { 300 }, clock: RuntimeClock(clock),
        undecodable: { bad in seen.append("\(bad.eventType?.rawValue ?? "LIST") \(bad.key)@\(bad.metadata.resourceVersion ?? "") \(bad.fieldPath)") })
}

@Suite(.timeLimit(.minutes(1)))
struct UndecodableItemTests {
    @Test func listKeepsTheItemsThatDecodeAndNamesTheFieldOfTheOthers() async throws {
        let fake = FakeKubeTransport(send: { _ in
            widgetList([widget("a", rv: "1"), widget("b", rv: "2", size: .double(9.223372036854776e18)), widget("c", rv: "3", size: "big")], rv: "9")
        })
        let list = try await KubeClient(transport: fake).resource(Widget.self).list(namespace: "default")
        #expect(list.items.map { $0.metadata.name ?? "" } == ["a"])
        #expect(list.resourceVersion == "9")
        #expect(list.undecodable.map(\.key) == ["default/b", "default/c"])
        #expect(list.undecodable.map(\.fieldPath) == ["spec.size", "spec.size"])
        #expect(list.undecodable[0].reason.contains("int64"), "a number that does not fit is named as such: \(list.undecodable[0].reason)")
        #expect(list.undecodable[1].reason.hasPrefix("expected an integer"))
        #expect(list.undecodable[0].raw.value(at: ["metadata", "resourceVersion"]) == "2", "the raw object is kept")
    }

    @Test func pagedListGathersTheUndecodableItemsOfEveryPage() async throws {
        let pages = Mutex([
            widgetList([widget("a", rv: "1", size: "x")], rv: "9", continueToken: "next"),
            widgetList([widget("b", rv: "2"), widget("c", rv: "3", size: .null)], rv: "9"),
        ])
        let fake = FakeKubeTransport(send: { _ in pages.withLock { $0.removeFirst() } })
        let list = try await KubeClient(transport: fake).resource(Widget.self).listAll(namespace: "default", pageSize: 1)
        #expect(list.items.map { $0.metadata.name ?? "" } == ["b"])
        #expect(list.undecodable.count == 2)
        #expect(list.undecodable.first?.message.hasPrefix("spec.size: expected an integer") == true)
        #expect(list.undecodable.last?.message.hasPrefix("spec.size: expected an integer, found null") == true)
        #expect(list.undecodable.map(\.key) == ["default/a", "default/c"])
    }

    @Test func watchSkipsAnUndecodableEventButResumesAfterIt() async throws {
        let w1 = FakeWatchStream()
        w1.send(.added, widget("a", rv: "11"))
        w1.send(.modified, widget("a", rv: "12", size: "broken"))
        w1.send(.added, widget("b", rv: "13"))
        w1.send(.modified, widget("b", rv: "14", size: .double(1e30)))
        w1.close()
        let lists = Mutex([widgetList([widget("z", rv: "5", size: "bad")], rv: "10")])
        let opened = Mutex([w1])
        let fake = FakeKubeTransport(
            send: { _ in lists.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] } },
            stream: { _ in opened.withLock { $0.isEmpty ? FakeWatchStream() : $0.removeFirst() }.response })
        let seen = EventLogBox()
        let events = EventLogBox()
        let watcher = KubeClient(transport: fake).resource(Widget.self).watcher(namespace: "default", configuration: noJitter(ManualClock(), seen))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await event in watcher {
                    switch event {
                    case .relisted(let items, let rv): events.append("relisted(\(items.count))@\(rv)")
                    case .added(let w): events.append("added \(w.metadata.name ?? "")@\(w.metadata.resourceVersion ?? "")")
                    default: events.append("other")
                    }
                }
            }
            // list, the first watch, then the re-watch after the clean close.
            try await waitUntil { fake.requests.count == 3 }
            group.cancelAll()
        }
        #expect(events.all == ["relisted(0)@10", "added a@11", "added b@13"], "undecodable events are skipped and the stream goes on")
        #expect(seen.all == ["LIST default/z@5 spec.size", "MODIFIED default/a@12 spec.size", "MODIFIED default/b@14 spec.size"])
        #expect(fake.requests.last?.queryValue("watch") == "true")
        #expect(fake.requests.last?.queryValue("resourceVersion") == "14", "the re-watch resumes after the skipped event")
    }

    @Test func aLineThatIsNotJSONStillBreaksTheStream() async throws {
        let s = FakeWatchStream()
        s.sendRaw(Data("{not json\n".utf8))
        s.close()
        let fake = FakeKubeTransport(stream: { _ in s.response })
        var it = try await KubeClient(transport: fake).resource(Widget.self).watchEvents(namespace: "default").makeAsyncIterator()
        await #expect(throws: KubeTransportError.self) { _ = try await it.next() }
    }
}

