import ConcordTesting
import Foundation
import KubeClient
import KubernetesAPI
import Testing

struct HealthProbeTests {
    private static let version: JSONValue = ["major": "1", "minor": "32", "gitVersion": "v1.32.0-concord", "platform": "linux/amd64"]

    @Test func readyServerReportsLatencyOnTheInjectedClockAndVersion() async {
        let clock = ManualClock()
        let fake = FakeKubeTransport(send: { req in
            switch req.path {
            case "/readyz":
                clock.advance(by: .milliseconds(15))
                return KubeResponse(statusCode: 200, body: Data("ok".utf8))
            case "/version": return .json(200, Self.version)
            default: return .status(404, reason: StatusReason.notFound, message: "nope")
            }
        })
        let r = await KubeClient(transport: fake).probeHealth(timeout: .seconds(1), clock: RuntimeClock(clock))
        #expect(r.healthy)
        #expect(r.latency == .milliseconds(15))
        #expect(r.gitVersion == "v1.32.0-concord")
        #expect(r.endpoint == "/readyz")
        #expect(r.failure == nil)
        #expect(fake.requests.map(\.path) == ["/readyz", "/version"])
        #expect(fake.requests.first?.timeout == .seconds(1))
    }

    @Test func missingReadyzFallsBackToVersion() async {
        let fake = FakeKubeTransport(send: { req in
            req.path == "/version" ? .json(200, Self.version) : .status(404, reason: StatusReason.notFound, message: "the server could not find the requested resource")
        })
        let r = await KubeClient(transport: fake).probeHealth()
        #expect(r.healthy)
        #expect(r.endpoint == "/version")
        #expect(r.gitVersion == "v1.32.0-concord")
        #expect(fake.requests.map(\.path) == ["/readyz", "/version"])
    }

    @Test func notReadyServerIsUnhealthyWithTheReason() async {
        let fake = FakeKubeTransport(send: { _ in KubeResponse(statusCode: 500, body: Data("[-]etcd failed".utf8)) })
        let r = await KubeClient(transport: fake).probeHealth()
        #expect(!r.healthy)
        #expect(r.failure?.contains("500") == true)
        #expect(r.failure?.contains("etcd failed") == true)
        #expect(r.gitVersion == nil)
    }

    @Test func unreachableServerIsUnhealthyWithoutThrowing() async {
        let fake = FakeKubeTransport(send: { _ in throw KubeTransportError(.connectionRefused, "GET /readyz: connection refused") })
        let r = await KubeClient(transport: fake).probeHealth()
        #expect(!r.healthy)
        #expect(r.failure?.contains("connection refused") == true)
    }
}
