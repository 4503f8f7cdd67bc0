import FederationAPI
import Foundation
import KubeClient
import Testing

private func meta(_ o: JSONValue) -> ObjectMeta { JSONValue.objectMeta(of: o) }

struct WatcherStateMachineTests {
    private func machine() -> WatcherStateMachine { WatcherStateMachine(backoff: Backoff(jitter: 0)) }

    @Test func startsEmptyAndListsFirst() {
        var m = machine()
        #expect(m.state == .empty)
        #expect(m.nextAction() == .list)
        #expect(m.state == .listing)
        m.listSucceeded(resourceVersion: "10")
        #expect(m.state == .watching(resourceVersion: "10"))
        #expect(m.nextAction() == .watch(resourceVersion: "10"))
    }

    @Test func eventsAndBookmarksAdvanceTheResourceVersion() {
        var m = machine()
        _ = m.nextAction()
        m.listSucceeded(resourceVersion: "10")
        let out = m.received(DecodedWatchEvent<JSONValue>.object(.modified, configMap("a", rv: "12")), metadata: meta)
        if case .modified = out {} else { Issue.record("expected a modified event, got \(String(describing: out))") }
        #expect(m.state == .watching(resourceVersion: "12"))
        _ = m.received(DecodedWatchEvent<JSONValue>.bookmark(resourceVersion: "20"), metadata: meta)
        #expect(m.nextAction() == .watch(resourceVersion: "20"))
    }

    @Test func expiredErrorGoesBackToEmptyWithoutDelay() {
        var m = machine()
        _ = m.nextAction()
        m.listSucceeded(resourceVersion: "10")
        _ = m.received(DecodedWatchEvent<JSONValue>.error(Status(reason: StatusReason.expired, code: 410)), metadata: meta)
        #expect(m.state == .empty)
        #expect(m.nextAction() == .list)
    }

    @Test func listFailuresBackOffExceptExpiredContinueTokens() {
        var m = machine()
        _ = m.nextAction()
        let gone = KubeAPIError(status: Status(reason: StatusReason.expired, code: 410), statusCode: 410)
        m.listFailed(gone)
        #expect(m.nextAction() == .list)
        m.listFailed(gone)
        #expect(m.nextAction() == .sleep(.milliseconds(800)), "a second 410 in a row backs off")
        #expect(m.nextAction() == .list)
        m.listFailed(KubeTransportError(.connectionRefused, "x"))
        #expect(m.nextAction() == .sleep(.milliseconds(1600)))
        #expect(m.nextAction() == .list)
    }

    @Test func goneResponseOnWatchOpenRelistsWithoutDelay() {
        var m = machine()
        _ = m.nextAction()
        m.listSucceeded(resourceVersion: "10")
        m.watchOpenFailed(KubeAPIError(status: Status(reason: StatusReason.gone, code: 410), statusCode: 410))
        #expect(m.nextAction() == .list)
    }

    struct OpenFailure: CustomTestStringConvertible, Sendable {
        var name: String
        var error: any Error & Sendable
        var next: WatcherStateMachine.Action
        var testDescription: String { name }
    }

    @Test(arguments: [
        OpenFailure(name: "connection refused re-watches", error: KubeTransportError(.connectionRefused, "x"), next: .watch(resourceVersion: "10")),
        OpenFailure(name: "429 re-watches", error: KubeAPIError(status: Status(reason: StatusReason.tooManyRequests, code: 429), statusCode: 429), next: .watch(resourceVersion: "10")),
        OpenFailure(name: "503 relists", error: KubeAPIError(status: Status(reason: StatusReason.serviceUnavailable, code: 503), statusCode: 503), next: .list),
        OpenFailure(name: "timeout re-watches", error: KubeTransportError(.timeout, "x"), next: .watch(resourceVersion: "10")),
        OpenFailure(name: "403 relists", error: KubeAPIError(status: Status(reason: StatusReason.forbidden, code: 403), statusCode: 403), next: .list),
    ])
    func watchOpenFailureBacksOffThen(_ c: OpenFailure) {
        var m = machine()
        _ = m.nextAction()
        m.listSucceeded(resourceVersion: "10")
        m.watchOpenFailed(c.error)
        #expect(m.nextAction() == .sleep(.milliseconds(800)))
        #expect(m.nextAction() == c.next)
    }

    @Test func cleanCloseRewatchesImmediatelyButAnEmptyInstantCloseBacksOff() {
        var m = machine()
        _ = m.nextAction()
        m.listSucceeded(resourceVersion: "10")
        m.streamEnded(receivedEvents: true, lasted: .milliseconds(10))
        #expect(m.nextAction() == .watch(resourceVersion: "10"))
        m.streamEnded(receivedEvents: false, lasted: .seconds(300))
        #expect(m.nextAction() == .watch(resourceVersion: "10"))
        m.streamEnded(receivedEvents: false, lasted: .milliseconds(5))
        #expect(m.nextAction() == .sleep(.milliseconds(800)))
        #expect(m.nextAction() == .watch(resourceVersion: "10"))
    }

    @Test func streamFailuresRewatchOrRelist() {
        var m = machine()
        _ = m.nextAction()
        m.listSucceeded(resourceVersion: "10")
        m.streamFailed(KubeTransportError(.timeout, "idle"))
        #expect(m.nextAction() == .watch(resourceVersion: "10"), "an idle timeout re-watches at once")
        m.streamFailed(KubeTransportError(.connectionClosed, "reset"))
        #expect(m.nextAction() == .sleep(.milliseconds(800)))
        #expect(m.nextAction() == .watch(resourceVersion: "10"))
        m.streamFailed(KubeTransportError(.invalidResponse, "garbage"))
        #expect(m.nextAction() == .sleep(.milliseconds(1600)))
        #expect(m.nextAction() == .list)
    }

    @Test func backoffDoublesToTheCapAndResetsAfterSuccess() {
        var b = Backoff(initial: .milliseconds(800), factor: 2, cap: .seconds(30), jitter: 0)
        let delays = (0..<8).map { _ in b.next() }
        #expect(delays == [.milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400), .milliseconds(12800), .milliseconds(25600), .seconds(30), .seconds(30)])
        b.reset()
        #expect(b.next() == .milliseconds(800))
    }

    @Test func jitterSpreadsDelayOverDoubleRange() {
        var b = Backoff(initial: .seconds(1), jitter: 1.0, random: { 0.5 })
        #expect(b.next() == .milliseconds(1500))
    }
}
