import Foundation
import KubeClient
import KubernetesAPI
import Testing

private func meta(_ o: JSONValue) -> ObjectMeta { JSONValue.objectMeta(of: o) }

struct WatcherStateMachineTests {
    private func machine() -> WatcherStateMachine { WatcherStateMachine(backoff: Backoff(jitter: 0)) }

    @Test func startsEmptyAndListsFirst() {
        var m = machine()
        #expect(m.state == .empty)
        #expect(m.nextAction() == .list(resourceVersion: "0"), "the first list may be served from the watch cache")
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

    @Test func expiredErrorRelistsAtTheLastVersionWithoutDelay() {
        var m = machine()
        _ = m.nextAction()
        m.listSucceeded(resourceVersion: "10")
        _ = m.received(DecodedWatchEvent<JSONValue>.object(.modified, configMap("a", rv: "14")), metadata: meta)
        _ = m.received(DecodedWatchEvent<JSONValue>.error(Status(reason: StatusReason.expired, code: 410)), metadata: meta)
        #expect(m.state == .listing)
        #expect(m.nextAction() == .list(resourceVersion: "14"))
    }

    @Test func listRefusedAsExpiredOrTooLargeFallsBackToConsistentReadOnce() {
        var m = machine()
        _ = m.nextAction()
        m.listSucceeded(resourceVersion: "10")
        m.watchOpenFailed(KubeAPIError(status: Status(reason: StatusReason.gone, code: 410), statusCode: 410))
        #expect(m.nextAction() == .list(resourceVersion: "10"))
        let gone = KubeAPIError(status: Status(reason: StatusReason.expired, code: 410), statusCode: 410)
        m.listFailed(gone)
        #expect(m.isLastSyncResourceVersionUnavailable)
        #expect(m.nextAction() == .list(resourceVersion: ""), "a consistent read, at once")
        m.listFailed(gone)
        #expect(m.nextAction() == .sleep(.milliseconds(800)), "a 410 on the consistent read backs off")
        #expect(m.nextAction() == .list(resourceVersion: ""))
        m.listFailed(KubeTransportError(.connectionRefused, "x"))
        #expect(m.nextAction() == .sleep(.milliseconds(1600)))
        #expect(m.nextAction() == .list(resourceVersion: ""))
        m.listSucceeded(resourceVersion: "40")
        #expect(!m.isLastSyncResourceVersionUnavailable)
        #expect(m.nextAction() == .watch(resourceVersion: "40"))
    }

    @Test func tooLargeResourceVersionIsRecognised() {
        let withCause = KubeAPIError(status: Status(message: "Timeout: Too large resource version", reason: StatusReason.timeout, details: StatusDetails(causes: [StatusCause(reason: "ResourceVersionTooLarge", message: "Too large resource version")]), code: 504), statusCode: 504)
        let messageOnly = KubeAPIError(status: Status(message: "Too large resource version: 12, current: 11", reason: StatusReason.timeout, code: 504), statusCode: 504)
        let otherTimeout = KubeAPIError(status: Status(message: "request timed out", reason: StatusReason.timeout, code: 504), statusCode: 504)
        #expect(withCause.isResourceVersionTooLarge)
        #expect(messageOnly.isResourceVersionTooLarge)
        #expect(!otherTimeout.isResourceVersionTooLarge)
        var m = machine()
        _ = m.nextAction()
        m.listFailed(otherTimeout)
        #expect(m.nextAction() == .sleep(.milliseconds(800)))
        #expect(m.nextAction() == .list(resourceVersion: "0"))
        m.listFailed(messageOnly)
        #expect(m.nextAction() == .list(resourceVersion: ""))
    }

    @Test func backoffStartsOverAfterTwoQuietMinutes() {
        var m = machine()
        _ = m.nextAction()
        var delays: [Duration] = []
        for t in [0, 1, 3, 7] {
            m.listFailed(KubeTransportError(.connectionRefused, "x"), now: .seconds(t))
            if case .sleep(let d) = m.nextAction() { delays.append(d) }
            _ = m.nextAction()
        }
        #expect(delays == [.milliseconds(800), .milliseconds(1600), .milliseconds(3200), .milliseconds(6400)])
        m.listFailed(KubeTransportError(.connectionRefused, "x"), now: .seconds(7 + 120))
        #expect(m.nextAction() == .sleep(.milliseconds(800)), "two minutes after the last delay the backoff resets")
    }

    @Test func goneResponseOnWatchOpenRelistsWithoutDelay() {
        var m = machine()
        _ = m.nextAction()
        m.listSucceeded(resourceVersion: "10")
        m.watchOpenFailed(KubeAPIError(status: Status(reason: StatusReason.gone, code: 410), statusCode: 410))
        #expect(m.nextAction() == .list(resourceVersion: "10"))
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
        OpenFailure(name: "503 relists", error: KubeAPIError(status: Status(reason: StatusReason.serviceUnavailable, code: 503), statusCode: 503), next: .list(resourceVersion: "10")),
        OpenFailure(name: "timeout re-watches", error: KubeTransportError(.timeout, "x"), next: .watch(resourceVersion: "10")),
        OpenFailure(name: "403 relists", error: KubeAPIError(status: Status(reason: StatusReason.forbidden, code: 403), statusCode: 403), next: .list(resourceVersion: "10")),
    ])
    func watchOpenFailureBacksOffThen(_ c: OpenFailure) {
        var m = machine()
        _ = m.nextAction()
        m.listSucceeded(resourceVersion: "10")
        m.watchOpenFailed(c.error)
        #expect(m.nextAction() == .sleep(.milliseconds(800)))
        #expect(m.nextAction() == c.next)
    }

    @Test func cleanCloseRewatchesImmediatelyButAnEmptyInstantCloseBacksOffAndRelists() {
        var m = machine()
        _ = m.nextAction()
        m.listSucceeded(resourceVersion: "10")
        m.streamEnded(receivedEvents: true, lasted: .milliseconds(10))
        #expect(m.nextAction() == .watch(resourceVersion: "10"))
        m.streamEnded(receivedEvents: false, lasted: .seconds(300))
        #expect(m.nextAction() == .watch(resourceVersion: "10"))
        m.streamEnded(receivedEvents: false, lasted: .milliseconds(5))
        #expect(m.nextAction() == .sleep(.milliseconds(800)))
        #expect(m.nextAction() == .list(resourceVersion: "10"))
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
        #expect(m.nextAction() == .list(resourceVersion: "10"))
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
