import ConcordTesting
import ControlPlane
import Foundation
import KubeClient
import KubernetesAPI
import Testing

/// Two control planes on one etcd prefix, the way two hub servers share one etcd cluster.
@Suite(.timeLimit(.minutes(2)))
struct FailoverIntegrationTests {
    @Test func clientAndWatchMoveToTheSecondServerWhenTheFirstStops() async throws {
        let etcd = try await SharedTestEtcd.shared.configuration()
        let token = "failover-\(UUID().uuidString.prefix(8))"
        let shared: (inout ControlPlaneConfiguration) -> Void = { c in
            c.token = token
            c.makeStore = { _ in try await EtcdObjectStore(configuration: etcd) }
        }
        try await withTestControlPlane(configure: shared) { first in
            try await withTestControlPlane(configure: shared) { second in
                var config = try ClientConfiguration.load(kubeconfigPath: first.kubeconfigPath, environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
                // Plain HTTP carries the token in the URL's path: the second server's URL is the first's on another port.
                var other = URLComponents(url: config.server, resolvingAgainstBaseURL: false)!
                other.port = second.port
                config.alternateServers = [other.url!]
                let client = try KubeClient(configuration: config)
                let recorder = RecordingTransport(client.transport)
                let cms = KubeClient(transport: recorder).resource(TestConfigMap.self)
                do {
                    _ = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "before", namespace: "default")))
                    try await withThrowingTaskGroup(of: [String].self) { group in
                        group.addTask {
                            var seen: [String] = []
                            for try await event in cms.watcher(namespace: "default") {
                                switch event {
                                case .relisted(let items, _): seen.append("relisted \(items.map { $0.metadata.name ?? "" })")
                                case .added(let cm): seen.append("added \(cm.metadata.name ?? "")")
                                case .modified, .deleted, .bookmark: continue
                                }
                                if seen.last?.contains("after") == true { return seen }
                            }
                            return seen
                        }
                        try await waitUntil { recorder.paths.contains { $0.contains("watch=true") } }
                        await first.server.stop()
                        // A pooled connection to the stopped server may be reset under the write: the write is
                        // then not sent again (it might have been applied), and the caller's retry meets the
                        // second server. A fresh connection is refused, and the write goes to the second server at once.
                        do {
                            _ = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "after", namespace: "default")))
                        } catch let error as KubeTransportError where error.code == .connectionClosed {
                            _ = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "after", namespace: "default")))
                        }
                        let seen = try await group.next() ?? []
                        // The stopping server may end the watch with an error, after which the watcher relists (as
                        // client-go's reflector does) instead of resuming; either way "after" reaches it from the second server.
                        #expect(seen.first == "relisted [\"before\"]")
                        #expect(seen.dropFirst() == ["added after"] || seen.dropFirst() == ["relisted [\"after\", \"before\"]"], "\(seen)")
                    }
                    let names = try await cms.list(namespace: "default").items.map { $0.metadata.name ?? "" }
                    #expect(names.sorted() == ["after", "before"])
                    try await client.shutdown()
                } catch {
                    try await client.shutdown()
                    throw error
                }
            }
        }
    }

    @Test func aServerThatLostEtcdAnswers503AndTheClientUsesTheOther() async throws {
        // The first server's etcd is its own, so what it lost shows: an object written through the
        // second server is in the second's store only.
        let lost = try await LocalEtcd.start()
        defer { lost.stop() }
        let shared = try await SharedTestEtcd.shared.configuration()
        let token = "lost-etcd-\(UUID().uuidString.prefix(8))"
        let firstStore = EtcdStorageConfiguration(endpoints: lost.clientURLs, compactionInterval: .zero, requestTimeout: .seconds(3))
        try await withTestControlPlane(configure: { c in c.token = token; c.makeStore = DefaultStore.etcd(firstStore) }) { first in
            try await withTestControlPlane(configure: { c in c.token = token; c.makeStore = DefaultStore.etcd(shared) }) { second in
                var config = try ClientConfiguration.load(kubeconfigPath: first.kubeconfigPath, environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
                var other = URLComponents(url: config.server, resolvingAgainstBaseURL: false)!
                other.port = second.port
                config.alternateServers = [other.url!]
                let client = try KubeClient(configuration: config)
                let cms = client.resource(TestConfigMap.self)
                // The first server alone, without retries: what it answers itself.
                var alone = config
                alone.alternateServers = []
                alone.maxRetries = 0
                let firstClient = try KubeClient(configuration: alone)
                let firstOnly = firstClient.resource(TestConfigMap.self)
                let name = "moved-\(UUID().uuidString.prefix(8).lowercased())"
                do {
                    _ = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "on-first", namespace: "default")))
                    lost.kill(member: 0)
                    try await waitUntil("the first server to answer 503", timeout: .seconds(20), every: .milliseconds(100)) {
                        do {
                            _ = try await firstOnly.list(namespace: "default")
                            return false
                        } catch let error as KubeAPIError {
                            return error.statusCode == 503 && error.reason == StatusReason.serviceUnavailable
                        }
                    }
                    _ = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: name, namespace: "default")))
                    let names = try await cms.list(namespace: "default").items.compactMap(\.metadata.name)
                    #expect(names.contains(name))
                    #expect(!names.contains("on-first"))
                    try await client.shutdown()
                    try await firstClient.shutdown()
                } catch {
                    try await client.shutdown()
                    try await firstClient.shutdown()
                    throw error
                }
            }
        }
    }
}
