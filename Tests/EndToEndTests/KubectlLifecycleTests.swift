import ConcordTesting
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real kubectl against `concord server`: deletion (namespaces, CRDs, cascades), describe with events,
/// chunked lists, streaming-list watches and, with `--simulate-workloads`, waiting for a Deployment.
@Suite(.serialized) struct KubectlLifecycleTests {
    static func ownedConfigMap(_ name: String, owner: String, uid: String) -> String {
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: \(name)
          namespace: gc
          ownerReferences:
          - {apiVersion: v1, kind: ConfigMap, name: \(owner), uid: \(uid), blockOwnerDeletion: true}
        data: {k: v}

        """
    }

    @Test(arguments: E2EStorage.allCases)
    func deletionCascadesNamespacesAndCRDs(storage: E2EStorage) async throws {
        let dir = try makeTempDirectory("kubectl-delete")
        defer { removeTestDirectory(dir) }
        let server = try await ServerProcess.start(dataDir: dir.appendingPathComponent("data"), extraArguments: try await storage.serverArguments())
        defer { server.process.signal(SIGKILL) }
        let k = try Kubectl(kubeconfig: server.kubeconfig)
        #expect(try await k("create", "namespace", "gc").succeeded)

        // --cascade=background (kubectl's default), foreground and orphan, each with a dependent.
        for cascade in ["background", "foreground", "orphan"] {
            let owner = "owner-\(cascade)", child = "child-\(cascade)"
            #expect(try await k("create", "configmap", owner, "-n", "gc", "--from-literal=a=b").succeeded)
            let uid = try await k("get", "configmap", owner, "-n", "gc", "-o", "jsonpath={.metadata.uid}").stdout
            #expect(!uid.isEmpty)
            let created = try await k("apply", "-f", "-", stdin: Self.ownedConfigMap(child, owner: owner, uid: uid))
            #expect(created.succeeded, "\(created.stderr)")
            let deleted = try await k("delete", "configmap", owner, "-n", "gc", "--cascade=\(cascade)", "--timeout=30s")
            #expect(deleted.succeeded, "\(cascade): \(deleted.stderr)")
            #expect(deleted.stdout.contains("configmap \"\(owner)\" deleted"), "\(deleted.stdout)")
            #expect(try await !k("get", "configmap", owner, "-n", "gc").succeeded)
            if cascade == "orphan" {
                let refs = try await k("get", "configmap", child, "-n", "gc", "-o", "jsonpath={.metadata.ownerReferences}")
                #expect(refs.succeeded && refs.stdout.isEmpty, "orphaned child: \(refs.stdout) \(refs.stderr)")
            } else {
                let gone = try await eventually(timeout: .seconds(10), every: .milliseconds(100)) {
                    try await k("get", "configmap", child, "-n", "gc").stderr.contains("NotFound")
                }
                #expect(gone, "\(cascade): the dependent was not collected")
            }
        }

        // A namespace with objects inside: kubectl waits until it is gone.
        #expect(try await k("create", "configmap", "inside", "-n", "gc", "--from-literal=a=b").succeeded)
        #expect(try await k("create", "secret", "generic", "s", "-n", "gc", "--from-literal=a=b").succeeded)
        let nsDeleted = try await k("delete", "namespace", "gc", "--timeout=30s")
        #expect(nsDeleted.succeeded, "\(nsDeleted.stderr)")
        let nsGone = try await k("get", "namespace", "gc")
        #expect(nsGone.stderr.contains("NotFound"), "\(nsGone.stdout) \(nsGone.stderr)")
        #expect(try await k("get", "configmaps", "-A", "-o", "name").stdout.contains("inside") == false)

        // A CRD with resources inside.
        #expect(try await k("apply", "-f", Repo.crds).succeeded)
        #expect(try await k("wait", "--for=condition=Established", "crd/datacenters.federation.concord.dev", "--timeout=20s").succeeded)
        let dc = "apiVersion: federation.concord.dev/v1alpha1\nkind: Datacenter\nmetadata: {name: doomed}\nspec: {region: r1}\n"
        #expect(try await k("apply", "-f", "-", stdin: dc).succeeded)
        let crdDeleted = try await k("delete", "crd", "datacenters.federation.concord.dev", "--timeout=30s")
        #expect(crdDeleted.succeeded, "\(crdDeleted.stderr)")
        #expect(try await !k("get", "crd", "datacenters.federation.concord.dev").succeeded)
        #expect(try await k("apply", "-f", Repo.crds).succeeded)
        #expect(try await k("wait", "--for=condition=Established", "crd/datacenters.federation.concord.dev", "--timeout=20s").succeeded)
        let empty = try await k("get", "datacenters", "-o", "name")
        #expect(empty.succeeded && empty.stdout.isEmpty, "custom resources survived their CRD: \(empty.stdout) \(empty.stderr)")
    }

    @Test(arguments: E2EStorage.allCases)
    func describeShowsEventsAndChunkedListsAndStreamingWatchesWork(storage: E2EStorage) async throws {
        let dir = try makeTempDirectory("kubectl-describe")
        defer { removeTestDirectory(dir) }
        // Plain HTTP: the streaming list below is read with curl over plain HTTP.
        let server = try await ServerProcess.start(
            dataDir: dir.appendingPathComponent("data"), extraArguments: ["--insecure-plain-http"] + (try await storage.serverArguments()))
        defer { server.process.signal(SIGKILL) }
        let k = try Kubectl(kubeconfig: server.kubeconfig)

        // Events for a ConfigMap (core/v1) and for a cluster-scoped Datacenter (recorded in "default").
        #expect(try await k("create", "configmap", "settings", "--from-literal=a=b").succeeded)
        let cmUID = try await k("get", "configmap", "settings", "-o", "jsonpath={.metadata.uid}").stdout
        #expect(try await k("apply", "-f", Repo.crds).succeeded)
        #expect(try await k("wait", "--for=condition=Established", "crd/datacenters.federation.concord.dev", "--timeout=20s").succeeded)
        let dc = "apiVersion: federation.concord.dev/v1alpha1\nkind: Datacenter\nmetadata: {name: us-east}\nspec: {region: us-east-1}\n"
        #expect(try await k("apply", "-f", "-", stdin: dc).succeeded)
        let dcUID = try await k("get", "dc", "us-east", "-o", "jsonpath={.metadata.uid}").stdout
        let events = """
            apiVersion: v1
            kind: Event
            metadata: {name: settings.1, namespace: default}
            involvedObject: {apiVersion: v1, kind: ConfigMap, name: settings, namespace: default, uid: \(cmUID)}
            reason: Replicated
            message: copied to eu-central
            type: Normal
            source: {component: concord-controller}
            count: 1
            ---
            apiVersion: v1
            kind: Event
            metadata: {name: us-east.1, namespace: default}
            involvedObject: {apiVersion: federation.concord.dev/v1alpha1, kind: Datacenter, name: us-east, uid: \(dcUID)}
            reason: Promoted
            message: became primary at epoch 4
            type: Normal
            source: {component: concord-controller}
            count: 1
            ---
            apiVersion: events.k8s.io/v1
            kind: Event
            metadata: {name: us-east.2, namespace: default}
            regarding: {apiVersion: federation.concord.dev/v1alpha1, kind: Datacenter, name: us-east, uid: \(dcUID)}
            eventTime: "2026-11-21T09:00:00.000000Z"
            reportingController: concord-controller
            reportingInstance: concord-controller-1
            action: Probe
            reason: Reachable
            note: probe answered in 3 ms
            type: Normal
            ---
            apiVersion: v1
            kind: Event
            metadata: {name: other.1, namespace: default}
            involvedObject: {apiVersion: v1, kind: ConfigMap, name: other, namespace: default, uid: 123}
            reason: Unrelated
            message: must not show up
            type: Warning
            source: {component: concord-controller}

            """
        let recorded = try await k("apply", "-f", "-", stdin: events)
        #expect(recorded.succeeded, "\(recorded.stderr)")
        let cmDescribed = try await k("describe", "configmap", "settings")
        #expect(cmDescribed.succeeded, "\(cmDescribed.stderr)")
        #expect(cmDescribed.stdout.contains("Events:"))
        #expect(cmDescribed.stdout.contains("Replicated") && cmDescribed.stdout.contains("copied to eu-central"), "\(cmDescribed.stdout)")
        #expect(!cmDescribed.stdout.contains("Unrelated"))
        let dcDescribed = try await k("describe", "datacenter", "us-east")
        #expect(dcDescribed.succeeded, "\(dcDescribed.stderr)")
        #expect(dcDescribed.stdout.contains("Promoted") && dcDescribed.stdout.contains("became primary at epoch 4"), "\(dcDescribed.stdout)")
        // Recorded through events.k8s.io/v1 (what Concord's controllers use), shown by describe all the same.
        #expect(dcDescribed.stdout.contains("Reachable") && dcDescribed.stdout.contains("probe answered in 3 ms"), "\(dcDescribed.stdout)")
        #expect(!dcDescribed.stdout.contains("Replicated"))

        // --chunk-size=2 pages through five objects (limit=2, then continue tokens).
        for i in 0..<5 { #expect(try await k("create", "configmap", "page-\(i)", "--from-literal=a=b").succeeded) }
        let chunked = try await k("get", "configmaps", "--chunk-size=2", "-o", "name", "-v=6")
        #expect(chunked.succeeded, "\(chunked.stderr)")
        #expect((0..<5).allSatisfy { chunked.stdout.contains("configmap/page-\($0)") }, "\(chunked.stdout)")
        #expect(chunked.stderr.contains("limit=2") && chunked.stderr.contains("continue="), "kubectl did not page: \(chunked.stderr)")

        // A streaming list over plain HTTP: every object, the initial-events-end bookmark, then the server
        // ends the stream after timeoutSeconds (curl exits 0).
        let token = try String(contentsOf: server.dataDir.appendingPathComponent("token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let url = "http://127.0.0.1:\(server.port)/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true"
            + "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=2"
        let started = ContinuousClock.now
        let curl = try await run("/usr/bin/curl", ["-sS", "-N", "-H", "Authorization: Bearer \(token)", url], timeout: .seconds(20))
        #expect(curl.status == 0, "\(curl.stderr)")
        #expect(ContinuousClock.now - started >= .seconds(2))
        let lines = curl.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains(#""type":"ADDED""#) }.count == 6, "\(curl.stdout)")
        let bookmark = lines.first { $0.contains(#""type":"BOOKMARK""#) } ?? ""
        #expect(bookmark.contains(#""k8s.io/initial-events-end":"true""#), "\(curl.stdout)")
        #expect(lines.firstIndex(of: bookmark) == 6)
    }

    @Test func waitForAvailableDeploymentWithSimulatedWorkloads() async throws {
        let dir = try makeTempDirectory("kubectl-workloads")
        defer { removeTestDirectory(dir) }
        let server = try await ServerProcess.start(
            dataDir: dir.appendingPathComponent("data"),
            extraArguments: ["--simulate-workloads", "--simulate-workloads-delay", "1"])
        defer { server.process.signal(SIGKILL) }
        let k = try Kubectl(kubeconfig: server.kubeconfig)
        let manifest = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 2
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec: {containers: [{name: web, image: nginx}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              selector: {app: web}
              ports: [{name: http, port: 80, targetPort: 8080}]

            """
        let applied = try await k("apply", "-f", "-", stdin: manifest)
        #expect(applied.succeeded, "\(applied.stderr)")
        let waited = try await k("wait", "--for=condition=Available", "deployment/web", "--timeout=30s")
        #expect(waited.succeeded, "\(waited.stdout) \(waited.stderr)")
        #expect(waited.stdout.contains("deployment.apps/web condition met"))
        let ready = try await k("get", "deployment", "web", "-o", "jsonpath={.status.readyReplicas}")
        #expect(ready.stdout == "2")
        let sliced = try await eventually(timeout: .seconds(10), every: .milliseconds(100)) {
            let out = try await k("get", "endpointslices", "-l", "kubernetes.io/service-name=web", "-o", "jsonpath={.items[0].endpoints[*].addresses[0]}")
            return out.stdout.split(separator: " ").count == 2
        }
        #expect(sliced, "the Service got no endpoints")
        // kubectl scale (the /scale subresource): status and endpoints follow.
        let scaled = try await k("scale", "deployment", "web", "--replicas=1")
        #expect(scaled.succeeded, "\(scaled.stderr)")
        let rolled = try await k("rollout", "status", "deployment/web", "--timeout=30s")
        #expect(rolled.succeeded && rolled.stdout.contains("successfully rolled out"), "\(rolled.stdout) \(rolled.stderr)")
        let shrunk = try await eventually(timeout: .seconds(10), every: .milliseconds(100)) {
            let out = try await k("get", "endpointslices", "web-simulated", "-o", "jsonpath={.endpoints[*].addresses[0]}")
            return out.stdout.split(separator: " ").count == 1
        }
        #expect(shrunk, "the endpoints did not follow the scale-down")
        let labelled = try await k("get", "endpointslices", "-l", "concord.dev/simulated=true", "-o", "name")
        #expect(labelled.stdout.contains("endpointslice.discovery.k8s.io/web-simulated"), "\(labelled.stdout)")
    }
}

