import Foundation
import KubeClient
import KubernetesAPI
import Testing

private let configMaps = ResourceScope(GroupVersionResource(group: "", version: "v1", resource: "configmaps"), namespaced: true)
private let datacenters = ResourceScope(GroupVersionResource(group: "federation.concord.dev", version: "v1alpha1", resource: "datacenters"), namespaced: false)
private let deployments = ResourceScope(GroupVersionResource(group: "apps", version: "v1", resource: "deployments"), namespaced: true)

struct PathCase: CustomTestStringConvertible, Sendable {
    var name: String
    var scope: ResourceScope
    var namespace: String?
    var object: String?
    var subresource: String?
    var expected: String
    var testDescription: String { name }

    static let all: [PathCase] = [
        PathCase(name: "core namespaced collection", scope: configMaps, namespace: "default", expected: "/api/v1/namespaces/default/configmaps"),
        PathCase(name: "core namespaced object", scope: configMaps, namespace: "kube-system", object: "app", expected: "/api/v1/namespaces/kube-system/configmaps/app"),
        PathCase(name: "all namespaces", scope: configMaps, namespace: nil, expected: "/api/v1/configmaps"),
        PathCase(name: "group namespaced object", scope: deployments, namespace: "web", object: "api", expected: "/apis/apps/v1/namespaces/web/deployments/api"),
        PathCase(name: "status subresource", scope: deployments, namespace: "web", object: "api", subresource: "status", expected: "/apis/apps/v1/namespaces/web/deployments/api/status"),
        PathCase(name: "cluster-scoped collection", scope: datacenters, expected: "/apis/federation.concord.dev/v1alpha1/datacenters"),
        PathCase(name: "cluster-scoped object ignores a namespace", scope: datacenters, namespace: "default", object: "eu-1", expected: "/apis/federation.concord.dev/v1alpha1/datacenters/eu-1"),
        PathCase(name: "cluster-scoped status", scope: datacenters, object: "eu-1", subresource: "status", expected: "/apis/federation.concord.dev/v1alpha1/datacenters/eu-1/status"),
        PathCase(name: "name with colon stays readable", scope: configMaps, namespace: "a", object: "system:node", expected: "/api/v1/namespaces/a/configmaps/system:node"),
        PathCase(name: "slash and space in a name are encoded", scope: configMaps, namespace: "a", object: "x/y z", expected: "/api/v1/namespaces/a/configmaps/x%2Fy%20z"),
    ]
}

struct QueryCase: CustomTestStringConvertible, Sendable {
    var name: String
    var request: KubeRequest
    var expected: String
    var testDescription: String { name }

    static var all: [QueryCase] {
        let b = RequestBuilder(configMaps)
        return [
            QueryCase(name: "label selector encodes = and ,", request: b.list(namespace: "d", options: ListOptions(labelSelector: "app=web,tier!=db")), expected: "labelSelector=app%3Dweb%2Ctier%21%3Ddb"),
            QueryCase(name: "plus is encoded, never left raw", request: b.list(namespace: "d", options: ListOptions(labelSelector: "version=1+2")), expected: "labelSelector=version%3D1%2B2"),
            QueryCase(name: "set-based selector with spaces", request: b.list(namespace: "d", options: ListOptions(labelSelector: "env in (a,b)")), expected: "labelSelector=env%20in%20%28a%2Cb%29"),
            QueryCase(name: "field selector", request: b.list(namespace: nil, options: ListOptions(fieldSelector: "metadata.name=x")), expected: "fieldSelector=metadata.name%3Dx"),
            QueryCase(name: "paging", request: b.list(namespace: "d", options: ListOptions(limit: 500, continue: "abc+/=")), expected: "limit=500&continue=abc%2B%2F%3D"),
            QueryCase(name: "consistent read at a version", request: b.list(namespace: "d", options: ListOptions(resourceVersion: "42", resourceVersionMatch: .notOlderThan)), expected: "resourceVersion=42&resourceVersionMatch=NotOlderThan"),
            QueryCase(name: "empty options send nothing", request: b.list(namespace: "d"), expected: ""),
            QueryCase(name: "watch with bookmarks and timeout", request: b.watch(namespace: "d", options: WatchOptions(list: ListOptions(resourceVersion: "7", timeoutSeconds: 300))), expected: "watch=true&resourceVersion=7&timeoutSeconds=300&allowWatchBookmarks=true"),
            QueryCase(name: "watch drops paging", request: b.watch(namespace: "d", options: WatchOptions(list: ListOptions(labelSelector: "a=b", limit: 5, continue: "x"), allowWatchBookmarks: false)), expected: "watch=true&labelSelector=a%3Db"),
            QueryCase(name: "streaming list", request: b.watch(namespace: nil, options: WatchOptions(list: ListOptions(resourceVersionMatch: .notOlderThan), sendInitialEvents: true)), expected: "watch=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&sendInitialEvents=true"),
            QueryCase(name: "create with field manager and dry run", request: b.create(namespace: "d", body: Data("{}".utf8), options: WriteOptions(fieldManager: "concord", dryRun: true)), expected: "dryRun=All&fieldManager=concord"),
            QueryCase(name: "forced apply", request: b.patch(namespace: "d", name: "x", type: .apply(force: true), body: Data(), options: WriteOptions(fieldManager: "concord")), expected: "fieldManager=concord&force=true"),
            QueryCase(name: "unforced apply has no force", request: b.patch(namespace: "d", name: "x", type: .apply(force: false), body: Data(), options: WriteOptions(fieldManager: "concord")), expected: "fieldManager=concord"),
        ]
    }
}

struct RequestBuilderTests {
    @Test(arguments: PathCase.all)
    func pathAddressesTheRightCollectionOrObject(_ c: PathCase) {
        #expect(c.scope.path(namespace: c.namespace, name: c.object, subresource: c.subresource) == c.expected)
    }

    @Test(arguments: QueryCase.all)
    func queryStringIsEncodedLikeKubectl(_ c: QueryCase) {
        #expect(c.request.encodedQuery == c.expected)
    }

    @Test(arguments: [
        (PatchType.merge, "application/merge-patch+json"),
        (PatchType.json, "application/json-patch+json"),
        (PatchType.strategicMerge, "application/strategic-merge-patch+json"),
        (PatchType.apply(force: false), "application/apply-patch+yaml"),
    ])
    func patchSendsItsContentType(_ type: PatchType, _ contentType: String) {
        let r = RequestBuilder(configMaps).patch(namespace: "d", name: "x", type: type, body: Data("{}".utf8))
        #expect(r.method == .patch)
        #expect(r.contentType == contentType)
        #expect(r.path == "/api/v1/namespaces/d/configmaps/x")
    }

    @Test func methodsMatchVerbs() throws {
        let b = RequestBuilder(deployments)
        #expect(b.get(namespace: "n", name: "a").method == .get)
        #expect(b.create(namespace: "n", body: Data()).method == .post)
        #expect(b.update(namespace: "n", name: "a", body: Data()).method == .put)
        #expect(b.update(namespace: "n", name: "a", body: Data(), subresource: "status").path.hasSuffix("/a/status"))
        #expect(try b.delete(namespace: "n", name: "a").method == .delete)
    }

    @Test func deleteCarriesPropagationAndPreconditionsInTheBody() throws {
        let r = try RequestBuilder(configMaps).delete(namespace: "d", name: "x", options: DeleteOptions(propagationPolicy: .foreground, preconditions: Preconditions(uid: "u1", resourceVersion: "9"), dryRun: true))
        let body = try JSONValue(parsing: try #require(r.body))
        #expect(body["kind"] == "DeleteOptions")
        #expect(body["apiVersion"] == "v1")
        #expect(body["propagationPolicy"] == "Foreground")
        #expect(body["preconditions"] == ["uid": "u1", "resourceVersion": "9"])
        #expect(body["dryRun"] == ["All"])
        #expect(r.contentType == "application/json")
    }

    @Test func pathAndQueryJoinsWithQuestionMark() {
        let r = RequestBuilder(configMaps).list(namespace: "d", options: ListOptions(limit: 1))
        #expect(r.pathAndQuery == "/api/v1/namespaces/d/configmaps?limit=1")
        #expect(RequestBuilder(configMaps).get(namespace: "d", name: "x").pathAndQuery == "/api/v1/namespaces/d/configmaps/x")
    }

    @Test func labelSelectorValueRendersAsQueryString() {
        let sel = LabelSelector(matchLabels: ["b": "2", "a": "1"], matchExpressions: [
            LabelSelectorRequirement(key: "env", operator: .in, values: ["prod", "dev"]),
            LabelSelectorRequirement(key: "legacy", operator: .doesNotExist),
            LabelSelectorRequirement(key: "tier", operator: .notIn, values: ["db"]),
            LabelSelectorRequirement(key: "owned", operator: .exists),
        ])
        #expect(sel.queryString == "a=1,b=2,env in (dev,prod),!legacy,tier notin (db),owned")
    }
}
