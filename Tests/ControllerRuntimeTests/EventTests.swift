import ConcordTesting
@testable import ControllerRuntime
import Foundation
import KubeClient
import KubernetesAPI
import Synchronization
import Testing

private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

private func event(reason: String = "Unreachable", note: String = "no answer", regarding: String = "us-east") -> Event {
    Event(
        metadata: ObjectMeta(name: "\(regarding).1", namespace: "default"), eventTime: MicroTime(t0),
        reportingController: "ctrl", reportingInstance: "ctrl-host", action: "Probe", reason: reason,
        regarding: ObjectReference(apiVersion: "federation.concord.dev/v1alpha1", kind: "Datacenter", name: regarding),
        note: note, type: Event.warning)
}

struct EventSeriesCacheTests {
    @Test func firstOccurrenceIsCreatedSecondStartsASeriesLaterOnesCountLocally() {
        var cache = EventSeriesCache()
        #expect(cache.observe(event(), now: t0) == .create(event()))
        guard case .patchSeries(let second) = cache.observe(event(note: "a different note"), now: t0.addingTimeInterval(1)) else {
            Issue.record("the second occurrence must patch a series")
            return
        }
        #expect(second.series == EventSeries(count: 2, lastObservedTime: MicroTime(t0.addingTimeInterval(1))))
        #expect(second.metadata.name == "us-east.1", "the series patches the event created first")
        #expect(cache.observe(event(), now: t0.addingTimeInterval(2)) == .none)
        #expect(cache.observe(event(), now: t0.addingTimeInterval(3)) == .none)
        // The count keeps growing locally and is sent with the next refresh.
        let refreshed = cache.maintain(now: t0.addingTimeInterval(1 + 30 * 60 - 1))
        #expect(refreshed.isEmpty, "idle for more than 6 min: the series was closed instead")
        #expect(cache.count == 0)
    }

    @Test func differentReasonOrObjectIsADifferentEvent() {
        var cache = EventSeriesCache()
        #expect(cache.observe(event(), now: t0) == .create(event()))
        #expect(cache.observe(event(reason: "Ready"), now: t0) == .create(event(reason: "Ready")))
        #expect(cache.observe(event(regarding: "us-west"), now: t0) == .create(event(regarding: "us-west")))
        #expect(cache.count == 3)
    }

    @Test func anOpenSeriesIsResentEvery30MinutesWhileItRecurs() {
        var cache = EventSeriesCache()
        _ = cache.observe(event(), now: t0)
        _ = cache.observe(event(), now: t0)
        var now = t0
        for _ in 0..<5 {  // recurs every 5 min: never idle for 6 min
            now = now.addingTimeInterval(300)
            #expect(cache.observe(event(), now: now) == .none)
            #expect(cache.maintain(now: now).isEmpty)
        }
        now = now.addingTimeInterval(300)  // 30 min after the series was sent
        #expect(cache.observe(event(), now: now) == .none)
        let due = cache.maintain(now: now)
        #expect(due.count == 1)
        #expect(due.first?.series?.count == 8)
        #expect(cache.maintain(now: now).isEmpty, "sent once per interval")
    }
}

@Suite(.timeLimit(.minutes(1)))
struct EventBroadcasterTests {
    @Test func transportErrorsAreRetriedButAnswersOfTheServerAreNot() async throws {
        let clock = ManualClock()
        let attempts = Mutex<[String: Int]>([:])
        let fake = FakeKubeTransport(send: { r in
            let body = String(decoding: r.body ?? Data(), as: UTF8.self)
            let reason = body.contains("Invalid") ? "Invalid" : "Flaky"
            let n = attempts.withLock { a -> Int in a[reason, default: 0] += 1; return a[reason]! }
            if reason == "Invalid" { return .status(422, reason: StatusReason.invalid, message: "note too long") }
            if n < 3 { throw KubeTransportError(.connectionRefused, "refused") }
            return .json(201, try JSONValue(encoding: event()))
        })
        let broadcaster = EventBroadcaster(client: KubeClient(transport: fake), clock: clock, now: { clock.date }, random: { 0 })
        let recorder = broadcaster.recorder(for: "ctrl")
        let regarding = ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: "ns", name: "cm")
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await broadcaster.run() }
            recorder.event(regarding: regarding, type: Event.warning, reason: "Invalid", action: "Test", note: "x")
            recorder.event(regarding: regarding, type: Event.normal, reason: "Flaky", action: "Test", note: "y")
            do {
                try await waitUntil { attempts.withLock { $0["Flaky"] } == 1 && attempts.withLock { $0["Invalid"] } == 1 }
                for expected in 2...3 {
                    try await waitUntil { clock.sleeperCount >= 2 }  // the retry and the series maintenance
                    clock.advance(by: .seconds(10))
                    try await waitUntil { attempts.withLock { $0["Flaky"] } == expected }
                }
                #expect(attempts.withLock { $0 } == ["Flaky": 3, "Invalid": 1])
            } catch {
                Issue.record("\(error)")
            }
            group.cancelAll()
        }
    }

    @Test func theQueueIsBoundedAndDropsWhenFull() {
        let broadcaster = EventBroadcaster(client: KubeClient(transport: FakeKubeTransport()), queueCapacity: 2)
        let recorder = broadcaster.recorder(for: "ctrl", instance: "ctrl-1")
        for i in 0..<5 {
            recorder.event(regarding: ObjectReference(kind: "ConfigMap", name: "cm\(i)"), type: Event.normal, reason: "R", action: "A", note: "n")
        }
        #expect(broadcaster.droppedCount == 3)
        #expect(recorder.reportingInstance == "ctrl-1")
        #expect(EventRecorder.truncate(String(repeating: "é", count: 600), bytes: 1024).utf8.count == 1024)
    }

    @Test func repeatedEventsBecomeOneSeriesOnTheControlPlane() async throws {
        try await withTestControlPlane { plane in
            let client = try KubeClient(kubeconfigPath: plane.kubeconfigPath, environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
            let broadcaster = EventBroadcaster(client: client)
            let recorder = broadcaster.recorder(for: "federation.concord.dev/test-controller")
            let regarding = ObjectReference(apiVersion: "federation.concord.dev/v1alpha1", kind: "Datacenter", name: "us-east", uid: "u-1")
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await broadcaster.run() }
                    for i in 0..<4 {
                        recorder.event(regarding: regarding, type: Event.warning, reason: "DatacenterUnreachable", action: "Probe", note: "attempt \(i)")
                    }
                    let events = client.resource(Event.self)
                    try await waitUntil {
                        let list = (try? await events.list(namespace: "default").items) ?? []
                        return list.first?.series?.count == 2
                    }
                    let list = try await events.list(namespace: "default").items
                    #expect(list.count == 1)
                    let e = try #require(list.first)
                    #expect(e.reason == "DatacenterUnreachable")
                    #expect(e.note == "attempt 0")
                    #expect(e.reportingController == "federation.concord.dev/test-controller")
                    #expect(e.reportingInstance?.hasPrefix("federation.concord.dev/test-controller-") == true)
                    #expect(e.regarding?.name == "us-east")
                    #expect(e.metadata.name?.hasPrefix("us-east.") == true)
                    group.cancelAll()
                }
                try await client.shutdown()
            } catch {
                try await client.shutdown()
                throw error
            }
        }
    }
}
