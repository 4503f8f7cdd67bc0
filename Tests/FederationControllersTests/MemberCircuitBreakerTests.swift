import ConcordTesting
import ControllerRuntime
import FederationAPI
import FederationCore
import Foundation
import KubeClient
import Logging
import Testing

@testable import FederationControllers

/// Member clients fail fast once a member keeps failing, without changing what probes report.
@Suite(.timeLimit(.minutes(1)))
struct MemberCircuitBreakerTests {
    /// A kubeconfig for a server that refuses connections (nothing listens on port 1).
    static let deadMember = """
        apiVersion: v1
        kind: Config
        clusters:
        - name: dead
          cluster:
            server: http://127.0.0.1:1
        users:
        - name: u
          user:
            token: t
        contexts:
        - name: dead
          context:
            cluster: dead
            user: u
        current-context: dead
        """

    @Test func repeatedFailuresOpenTheCircuitAndProbesKeepReportingTheSameFailure() async throws {
        let clock = ManualClock()
        let members = MemberConnections(logger: Logger(label: "test.members"), clock: RuntimeClock(clock))
        let connection = try await members.connection(for: "dead", secretRevision: "1", kubeconfig: Self.deadMember, source: "test", now: Date())
        let breaker = try #require(connection.client.circuitBreaker, "member clients have a circuit breaker")
        let memory = ProbeMemory()
        var results: [ProbeResult] = []
        for _ in 0..<6 {
            results.append(await MemberProbe.probe(connection.client, timeout: .seconds(1), wantVersion: false, memory: memory))
        }
        #expect(breaker.phase == .open(until: .seconds(1)), "open after 3 consecutive failures")
        guard case .failure(let reason, let message) = results[0] else {
            Issue.record("a refused connection must fail the probe")
            return
        }
        #expect(reason == Datacenter.Reason.connectionFailed)
        #expect(results.allSatisfy { $0 == results[0] }, "probes failed fast report the same reason and message: \(results)")
        #expect(!message.contains("circuit"))

        // Other callers sharing the client fail at once instead of waiting for the member.
        do {
            _ = try await connection.client.resource(ConfigMap.self).get("x", namespace: "default")
            Issue.record("expected the open circuit to refuse the request")
        } catch let error as KubeTransportError {
            #expect(error.code == .circuitOpen)
        }

        // After the cooldown one trial goes through; it fails again, so the circuit re-opens.
        clock.advance(by: .seconds(1))
        let trial = await MemberProbe.probe(connection.client, timeout: .seconds(1), wantVersion: false, memory: memory)
        #expect(trial == results[0])
        #expect(breaker.phase == .open(until: .seconds(2)))
        await members.shutdownAll()
    }

    @Test func circuitStateIsExposedPerDatacenter() {
        let registry = MetricsRegistry()
        let metrics = DatacenterMetrics(registry: registry, cache: InformerCache<Datacenter>(metadata: { $0.metadata }))
        metrics.circuit("alpha", .open(until: .seconds(3)))
        metrics.circuit("beta", .closed(failures: 1))
        let text = registry.exposition()
        #expect(text.contains(#"concord_member_circuit_state{datacenter="alpha"} 1"#), "\(text)")
        #expect(text.contains(#"concord_member_circuit_state{datacenter="beta"} 0"#), "\(text)")
        metrics.forget("alpha")
        #expect(!registry.exposition().contains(#"datacenter="alpha""#))
    }

    @Test func datacentersAreIndexedByRegionInTheSharedCache() async throws {
        var logger = Logger(label: "test.controllers")
        logger.logLevel = .critical
        let set = FederationControllerSet(hub: KubeClient(transport: FakeKubeTransport()), logger: logger)
        let informer = set.cache.informer(for: Datacenter.self)
        #expect(informer.cache.hasIndex("spec.region"))
        #expect(set.cache.all.filter { $0 is Informer<Datacenter> }.count == 1, "the Datacenter informer is shared, not duplicated per controller")
        for (name, region) in [("a", "eu-1"), ("b", "us-1"), ("c", "eu-1")] {
            informer.cache.upsert(Datacenter(metadata: ObjectMeta(name: name), spec: DatacenterSpec(region: region)))
        }
        #expect(informer.cache.datacenters(inRegion: "eu-1").compactMap(\.metadata.name) == ["a", "c"])
        #expect(informer.cache.datacenters(inRegion: "ap-1").isEmpty)
    }
}
