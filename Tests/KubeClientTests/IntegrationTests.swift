import ConcordTesting
import Foundation
import KubeClient
import KubernetesAPI
import Testing

/// A ConfigMap, typed, for tests against the real control plane.
struct TestConfigMap: KubeResource, Equatable {
    static let groupVersionResource = GroupVersionResource(group: "", version: "v1", resource: "configmaps")
    static let kind = "ConfigMap"
    static let isNamespaced = true
    var apiVersion: String? = "v1"
    var kind: String? = "ConfigMap"
    var metadata: ObjectMeta
    var data: [String: String]?
}

/// Runs `body` with a client of a fresh in-process control plane, built from the kubeconfig it wrote.
func withPlaneClient<T: Sendable>(_ body: (KubeClient, TestControlPlane) async throws -> T) async throws -> T {
    try await withTestControlPlane { plane in
        let client = try KubeClient(kubeconfigPath: plane.kubeconfigPath, environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
        do {
            let result = try await body(client, plane)
            try await client.shutdown()
            return result
        } catch {
            try await client.shutdown()
            throw error
        }
    }
}

@Suite(.timeLimit(.minutes(2)))
struct KubeClientIntegrationTests {
    @Test func crudRoundTripOverHTTP() async throws {
        try await withPlaneClient { client, _ in
            let cms = client.resource(TestConfigMap.self)
            let created = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "app", namespace: "default", labels: ["tier": "web"]), data: ["k": "v"]))
            #expect(created.metadata.uid != nil)
            #expect(created.metadata.resourceVersion != nil)

            let got = try await cms.get("app", namespace: "default")
            #expect(got.data == ["k": "v"])

            let selected = try await cms.list(namespace: "default", options: ListOptions(labelSelector: "tier in (web,api),!legacy"))
            #expect(selected.items.map(\.metadata.name) == ["app"], "spaces, parentheses, commas and ! must reach the server intact")
            #expect(!selected.resourceVersion.isEmpty)
            let none = try await cms.list(namespace: "default", options: ListOptions(labelSelector: "tier=other"))
            #expect(none.items.isEmpty)

            var changed = got
            changed.data = ["k": "v2"]
            let updated = try await cms.update(changed)
            #expect(updated.data == ["k": "v2"])
            #expect(updated.metadata.resourceVersion != got.metadata.resourceVersion)

            let patched = try await cms.patch("app", namespace: "default", type: .merge, patch: ["data": ["extra": "1"]])
            #expect(patched.data == ["k": "v2", "extra": "1"])

            let jsonPatched = try await cms.patch("app", namespace: "default", type: .json, patch: [["op": "replace", "path": "/data/k", "value": "v3"], ["op": "remove", "path": "/data/extra"]])
            #expect(jsonPatched.data == ["k": "v3"])

            try await cms.delete("app", namespace: "default")
            do {
                _ = try await cms.get("app", namespace: "default")
                Issue.record("expected NotFound after delete")
            } catch let e as KubeAPIError {
                #expect(e.isNotFound)
            }
        }
    }

    @Test func pagedListFollowsContinueTokens() async throws {
        try await withPlaneClient { client, _ in
            let cms = client.resource(TestConfigMap.self)
            for i in 0..<5 { _ = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "page-\(i)", namespace: "default"))) }
            let first = try await cms.list(namespace: "default", options: ListOptions(limit: 2))
            #expect(first.items.count == 2)
            #expect(first.continueToken?.isEmpty == false)
            let all = try await cms.listAll(namespace: "default", pageSize: 2)
            #expect(all.items.compactMap(\.metadata.name) == (0..<5).map { "page-\($0)" })
        }
    }

    @Test func serverErrorsDecodeIntoTypedStatus() async throws {
        try await withPlaneClient { client, _ in
            let cms = client.resource(TestConfigMap.self)
            let first = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "dup", namespace: "default"), data: ["a": "1"]))
            do {
                _ = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "dup", namespace: "default")))
                Issue.record("expected AlreadyExists")
            } catch let e as KubeAPIError {
                #expect(e.isAlreadyExists, "\(e)")
                #expect(e.statusCode == 409)
            }
            var fresh = first
            fresh.data = ["a": "2"]
            _ = try await cms.update(fresh)
            var stale = first
            stale.data = ["a": "3"]
            do {
                _ = try await cms.update(stale)
                Issue.record("expected Conflict")
            } catch let e as KubeAPIError {
                #expect(e.isConflict, "\(e)")
                #expect(e.statusCode == 409)
            }
            do {
                _ = try await cms.get("missing", namespace: "default")
                Issue.record("expected NotFound")
            } catch let e as KubeAPIError {
                #expect(e.isNotFound)
                #expect(e.message.contains("missing"))
            }
        }
    }

    @Test func wrongTokenIsUnauthorized() async throws {
        try await withTestControlPlane { plane in
            let client = try KubeClient(configuration: ClientConfiguration(server: plane.baseURL, credentials: .bearer("wrong-token")))
            do {
                _ = try await client.resource(TestConfigMap.self).list(namespace: "default")
                Issue.record("expected Unauthorized")
            } catch let e as KubeAPIError {
                #expect(e.isUnauthorized, "\(e)")
            }
            try await client.shutdown()
        }
    }

    @Test func watchResumesFromAResourceVersion() async throws {
        try await withPlaneClient { client, _ in
            let cms = client.resource(TestConfigMap.self)
            let a = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "a", namespace: "default")))
            _ = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "b", namespace: "default")))
            _ = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "c", namespace: "default")))
            let rv = try #require(a.metadata.resourceVersion)
            var seen: [String] = []
            for try await event in try await cms.watchEvents(namespace: "default", options: WatchOptions(list: ListOptions(resourceVersion: rv, timeoutSeconds: 30))) {
                if case .object(let type, let cm) = event {
                    seen.append("\(type.rawValue) \(cm.metadata.name ?? "")")
                }
                if seen.count == 2 { break }
            }
            #expect(seen == ["ADDED b", "ADDED c"])
        }
    }

    @Test func watcherListsThenStreamsChanges() async throws {
        try await withPlaneClient { client, _ in
            let cms = client.resource(TestConfigMap.self)
            _ = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "before", namespace: "default")))
            var it = cms.watcher(namespace: "default").makeAsyncIterator()
            guard case .relisted(let items, let rv)? = try await it.next() else {
                Issue.record("expected the initial list first")
                return
            }
            #expect(items.map(\.metadata.name) == ["before"])
            #expect(!rv.isEmpty)
            _ = try await cms.create(TestConfigMap(metadata: ObjectMeta(name: "after", namespace: "default")))
            var next = try await it.next()
            while case .bookmark? = next { next = try await it.next() }
            guard case .added(let cm)? = next else {
                Issue.record("expected an ADDED event, got \(String(describing: next))")
                return
            }
            #expect(cm.metadata.name == "after")
        }
    }

    @Test func watcherRewatchesAfterServerTimeoutWithoutRelisting() async throws {
        try await withPlaneClient { client, _ in
            guard let inner = client.httpTransport else {
                Issue.record("expected the HTTP transport")
                return
            }
            let recorder = RecordingTransport(inner)
            let cms = KubeClient(transport: recorder).resource(TestConfigMap.self)
            // A 1 s server timeout would sit right at the 1 s "very short watch" threshold (which relists),
            // so that check is off here: this test is about a server timeout, not a very short watch.
            let config = WatcherConfiguration(minimumWatchDuration: .zero, watchTimeoutSeconds: { 1 })
            try await withThrowingTaskGroup(of: [String].self) { group in
                group.addTask {
                    var it = cms.watcher(namespace: "default", configuration: config).makeAsyncIterator()
                    var seen: [String] = []
                    while let event = try await it.next() {
                        switch event {
                        case .relisted(let items, _): seen.append("relisted \(items.count)")
                        case .added(let cm): seen.append("added \(cm.metadata.name ?? "")")
                        case .modified, .deleted, .bookmark: continue
                        }
                        if seen.last?.hasPrefix("added") == true { return seen }
                    }
                    return seen
                }
                // The server ends the first watch after 1 s; the watcher opens a second one.
                try await waitUntil { recorder.paths.filter { $0.contains("watch=true") }.count >= 2 }
                _ = try await client.resource(TestConfigMap.self).create(TestConfigMap(metadata: ObjectMeta(name: "late", namespace: "default")))
                let seen = try await group.next()
                #expect(seen == ["relisted 0", "added late"])
            }
            let kinds = recorder.paths.map { $0.contains("watch=true") ? "watch" : "list" }
            #expect(kinds.first == "list")
            #expect(kinds.filter { $0 == "list" }.count == 1, "a server timeout must not cause a relist: \(recorder.paths)")
        }
    }

    @Test func cancellingAWatchEndsItPromptly() async throws {
        try await withPlaneClient { client, _ in
            guard let inner = client.httpTransport else {
                Issue.record("expected the HTTP transport")
                return
            }
            let recorder = RecordingTransport(inner)
            let cms = KubeClient(transport: recorder).resource(TestConfigMap.self)
            try await withThrowingTaskGroup(of: String.self) { group in
                group.addTask {
                    var it = cms.watcher(namespace: "default").makeAsyncIterator()
                    _ = try await it.next()
                    while let event = try await it.next() {
                        if case .bookmark = event { continue }
                        return "unexpected event"
                    }
                    return "ended"
                }
                try await waitUntil { recorder.paths.contains { $0.contains("watch=true") } }
                group.cancelAll()
                // The suite's time limit fails this test if the HTTP stream ignores cancellation.
                let result = try await group.next()
                #expect(result == "ended")
            }
        }
    }

    /// Opens `watches` watches, waits until every one has its response head (so holds a
    /// connection), then lists with a 2 s timeout.
    private func listWhileWatching(_ plane: TestControlPlane, watches: Int, maxConnections: Int) async throws -> Result<Int, any Error> {
        var config = try ClientConfiguration.load(kubeconfigPath: plane.kubeconfigPath, environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
        config.maxConnectionsPerHost = maxConnections
        let client = try KubeClient(configuration: config)
        let cms = client.resource(TestConfigMap.self)
        let opened = EventLogBox()
        let result = try await withThrowingTaskGroup(of: Void.self) { group -> Result<Int, any Error> in
            for _ in 0..<watches {
                group.addTask {
                    let events = try await cms.watchEvents(namespace: "default", options: WatchOptions(list: ListOptions(resourceVersion: "0")))
                    opened.append("open")
                    for try await _ in events {}
                }
            }
            try await waitUntil { opened.all.count == min(watches, maxConnections) }
            var request = cms.requests.list(namespace: "default")
            request.timeout = .seconds(2)
            let outcome: Result<Int, any Error>
            do {
                outcome = .success(try await client.send(request).statusCode)
            } catch {
                outcome = .failure(error)
            }
            group.cancelAll()
            return outcome
        }
        try await client.shutdown()
        return result
    }

    @Test func manyOpenWatchesDoNotStarveOtherRequests() async throws {
        try await withTestControlPlane { plane in
            let result = try await listWhileWatching(plane, watches: 12, maxConnections: ClientConfiguration(server: plane.baseURL).maxConnectionsPerHost)
            #expect(try result.get() == 200)
        }
    }

    @Test func connectionLimitBelowTheWatchCountStarvesRequests() async throws {
        // Why the default is raised: with AsyncHTTPClient's 8, eight watches starve every other request.
        try await withTestControlPlane { plane in
            let result = try await listWhileWatching(plane, watches: 8, maxConnections: 8)
            guard case .failure(let error) = result else {
                Issue.record("expected the list to time out waiting for a connection")
                return
            }
            #expect(error is KubeTransportError, "\(error)")
        }
    }

    @Test func tokenFileCredentialsAuthenticate() async throws {
        try await withTestControlPlane { plane in
            let dir = try TempDirectory()
            let path = try dir.write("token", plane.token + "\n")
            let client = try KubeClient(configuration: ClientConfiguration(server: plane.baseURL, credentials: .tokenFile(FileTokenSource(path: path))))
            let result: Result<Int, any Error>
            do {
                result = .success(try await client.resource(TestConfigMap.self).list(namespace: "default").items.count)
            } catch {
                result = .failure(error)
            }
            try await client.shutdown()
            #expect(try result.get() == 0)
        }
    }

    @Test func healthProbeReportsReadinessAndVersion() async throws {
        try await withPlaneClient { client, _ in
            let r = await client.probeHealth(timeout: .seconds(5))
            #expect(r.healthy, "\(r)")
            #expect(r.gitVersion?.isEmpty == false)
            #expect(r.latency > .zero)
            let v = try await client.serverVersion()
            #expect(v.minor?.hasPrefix("32") == true)
        }
    }

    @Test func updateStatusWritesOnlyTheStatusSubresource() async throws {
        try await withPlaneClient { client, _ in
            let deployments = client.dynamic(GroupVersionResource(group: "apps", version: "v1", resource: "deployments"), namespaced: true, kind: "Deployment")
            let labels: JSONValue = ["app": "web"]
            var d = try await deployments.create([
                "metadata": ["name": "web", "namespace": "default"],
                "spec": ["replicas": 2, "selector": ["matchLabels": labels], "template": ["metadata": ["labels": labels], "spec": ["containers": [["name": "c", "image": "nginx"]]]]],
            ])
            let generation = d.value(at: ["metadata", "generation"])
            d.setValue(["observedGeneration": 1, "replicas": 2, "readyReplicas": 2], at: ["status"])
            d.setValue(5, at: ["spec", "replicas"])
            let written = try await deployments.updateStatus(d)
            #expect(written.value(at: ["status", "readyReplicas"]) == 2)
            #expect(written.value(at: ["spec", "replicas"]) == 2, "a status write leaves the spec alone")
            #expect(written.value(at: ["metadata", "generation"]) == generation)
            let patched = try await deployments.patchStatus("web", namespace: "default", patch: ["status": ["readyReplicas": 1]])
            #expect(patched.value(at: ["status", "readyReplicas"]) == 1)
        }
    }

    @Test func dynamicClientSeesTheSameObjects() async throws {
        try await withPlaneClient { client, _ in
            let dyn = client.dynamic(GroupVersionResource(group: "", version: "v1", resource: "configmaps"), namespaced: true, kind: "ConfigMap")
            let created = try await dyn.create(["metadata": ["name": "dyn", "namespace": "default"], "data": ["x": "1"]])
            #expect(created.value(at: ["metadata", "uid"])?.stringValue?.isEmpty == false)
            let typed = try await client.resource(TestConfigMap.self).get("dyn", namespace: "default")
            #expect(typed.data == ["x": "1"])
            let all = try await dyn.list()
            #expect(all.items.contains { $0.value(at: ["metadata", "name"]) == "dyn" })
        }
    }
}

/// Wraps a transport and records each request's path and query.
final class RecordingTransport: KubeTransport {
    private let inner: any KubeTransport
    private let log = EventLogBox()

    init(_ inner: any KubeTransport) { self.inner = inner }

    var paths: [String] { log.all }

    func send(_ request: KubeRequest) async throws -> KubeResponse {
        log.append(request.pathAndQuery)
        return try await inner.send(request)
    }

    func stream(_ request: KubeRequest) async throws -> KubeStreamingResponse {
        log.append(request.pathAndQuery)
        return try await inner.stream(request)
    }
}
