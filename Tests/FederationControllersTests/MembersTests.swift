import ConcordTesting
import ControllerRuntime
import FederationAPI
import Foundation
import KubeClient
import Logging
import Synchronization
import Testing

@testable import FederationControllers

/// Member informers: each member's in its own task, so a dead member never holds up a live one;
/// new credentials restart them over the new client.
@Suite(.serialized) struct MembersTests {
    final class Synced: Sendable {
        private let names = Mutex<[String]>([])
        func add(_ name: String) { names.withLock { $0.append(name) } }
        var all: [String] { names.withLock { $0 } }
    }

    @Test func aDeadMemberNeverHoldsUpAnotherMembersCacheAndNewCredentialsRestartIt() async throws {
        try await withTestControlPlane { plane in
            var logger = Logger(label: "test.members")
            logger.logLevel = .critical
            let clock = RuntimeClock.continuous
            let members = Members(
                connections: MemberConnections(logger: logger, clock: clock), clock: clock,
                watchBackoff: Backoff(initial: .milliseconds(100), cap: .seconds(1)), logger: logger)
            let kubeconfig = try String(contentsOfFile: plane.kubeconfigPath, encoding: .utf8)
            _ = try await members.connection(for: "dead", secretRevision: "1", kubeconfig: MemberCircuitBreakerTests.deadMember, source: "test", now: Date())
            _ = try await members.connection(for: "live", secretRevision: "1", kubeconfig: kubeconfig, source: "test", now: Date())
            let synced = Synced()
            members.addEventHandler(for: ConfigMap.self, namespace: "default", options: ListOptions(), synced: { synced.add($0) }) { _ in InformerEventHandler() }
            let direct = try KubeClient(kubeconfigPath: plane.kubeconfigPath)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await members.run() }
                let dead = try #require(await members.informer(for: ConfigMap.self, in: "dead", namespace: "default"))
                let live = try #require(await members.informer(for: ConfigMap.self, in: "live", namespace: "default"))
                #expect(await members.informer(for: ConfigMap.self, in: "live", namespace: "default") === live, "one informer per key and member")
                _ = try await direct.resource(ConfigMap.self).create(ConfigMap(metadata: ObjectMeta(name: "x", namespace: "default")), namespace: "default")
                try await DatacenterControllerTests.waitFor("the live member's cache holds x") { live.cache.get(name: "x", namespace: "default") != nil }
                // The synced handler runs after the cache is filled: wait for it, then check it ran for live alone.
                try await waitUntil("the live member's synced handler") { !synced.all.isEmpty }
                #expect(synced.all == ["live"])
                #expect(!dead.hasSynced)

                // New credentials: the same informer starts again over the new client, with the handlers.
                _ = try await members.connection(for: "live", secretRevision: "2", kubeconfig: kubeconfig, source: "test", now: Date())
                let restarted = try #require(await members.informer(for: ConfigMap.self, in: "live", namespace: "default"))
                #expect(restarted !== live)
                try await DatacenterControllerTests.waitFor("the restarted cache holds x") { restarted.cache.get(name: "x", namespace: "default") != nil }
                try await waitUntil("the restarted member's synced handler") { synced.all.count >= 2 }
                #expect(synced.all == ["live", "live"])

                // A removed member has no informer any more.
                await members.remove("dead")
                #expect(await members.informer(for: ConfigMap.self, in: "dead", namespace: "default") == nil)
                group.cancelAll()
            }
            try await direct.shutdown()
        }
    }
}
