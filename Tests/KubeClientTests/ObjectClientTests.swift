import Foundation
import KubeClient
import KubernetesAPI
import Testing

struct ObjectClientTests {
    private func widgetJSON(_ name: String, ns: String = "default", rv: String = "1", size: Int64 = 1, ready: Bool? = nil) -> JSONValue {
        var v: JSONValue = ["apiVersion": "test.concord.dev/v1", "kind": "Widget", "metadata": ["name": .string(name), "namespace": .string(ns), "resourceVersion": .string(rv)], "spec": ["size": .int(size)]]
        if let ready { v["status"] = ["ready": .bool(ready)] }
        return v
    }

    @Test func typedGetDecodesAndUsesDefaultNamespace() async throws {
        let fake = FakeKubeTransport(send: { _ in .json(200, self.widgetJSON("w", ns: "team", size: 3)) })
        let w = try await KubeClient(transport: fake, defaultNamespace: "team").resource(Widget.self).get("w")
        #expect(w.spec.size == 3)
        #expect(fake.requests.first?.path == "/apis/test.concord.dev/v1/namespaces/team/widgets/w")
    }

    @Test func notFoundDecodesTheServerStatus() async throws {
        let fake = FakeKubeTransport(send: { _ in .status(404, reason: StatusReason.notFound, message: "widgets.test.concord.dev \"x\" not found") })
        do {
            _ = try await KubeClient(transport: fake).resource(Widget.self).get("x")
            Issue.record("expected an error")
        } catch let e as KubeAPIError {
            #expect(e.isNotFound)
            #expect(e.statusCode == 404)
            #expect(e.status.message == "widgets.test.concord.dev \"x\" not found")
            #expect(!e.isConflict)
        }
    }

    @Test func updateSendsPutWithResourceVersionAndConflictIsTyped() async throws {
        let fake = FakeKubeTransport(send: { _ in .status(409, reason: StatusReason.conflict, message: "the object has been modified") })
        let w = Widget(metadata: ObjectMeta(name: "w", namespace: "n", resourceVersion: "7"), spec: .init(size: 2))
        do {
            _ = try await KubeClient(transport: fake).resource(Widget.self).update(w)
            Issue.record("expected a conflict")
        } catch let e as KubeAPIError {
            #expect(e.isConflict)
        }
        let req = try #require(fake.requests.first)
        #expect(req.method == .put)
        #expect(req.path == "/apis/test.concord.dev/v1/namespaces/n/widgets/w")
        let body = try JSONValue(parsing: try #require(req.body))
        #expect(body.value(at: ["metadata", "resourceVersion"]) == "7")
    }

    @Test func updateStatusPutsToTheStatusSubresource() async throws {
        let fake = FakeKubeTransport(send: { req in
            var obj = try JSONValue(parsing: req.body ?? Data())
            obj.setValue("8", at: ["metadata", "resourceVersion"])
            return .json(200, obj)
        })
        var w = Widget(metadata: ObjectMeta(name: "w", namespace: "n", resourceVersion: "7"), spec: .init(size: 2))
        w.status = .init(ready: true)
        let out = try await KubeClient(transport: fake).resource(Widget.self).updateStatus(w)
        #expect(out.status == .init(ready: true))
        #expect(out.metadata.resourceVersion == "8")
        #expect(fake.requests.first?.path == "/apis/test.concord.dev/v1/namespaces/n/widgets/w/status")
    }

    @Test func createFillsApiVersionAndKindAndAlreadyExistsIsTyped() async throws {
        let fake = FakeKubeTransport(send: { _ in .status(409, reason: StatusReason.alreadyExists, message: "exists") })
        let dyn = KubeClient(transport: fake).dynamic(GroupVersionResource(group: "test.concord.dev", version: "v1", resource: "widgets"), namespaced: true, kind: "Widget")
        do {
            _ = try await dyn.create(["metadata": ["name": "w"], "spec": ["size": 1]], namespace: "n")
            Issue.record("expected AlreadyExists")
        } catch let e as KubeAPIError {
            #expect(e.isAlreadyExists)
            #expect(!e.isConflict)
        }
        let body = try JSONValue(parsing: try #require(fake.requests.first?.body))
        #expect(body["apiVersion"] == "test.concord.dev/v1")
        #expect(body["kind"] == "Widget")
        #expect(fake.requests.first?.method == .post)
    }

    @Test func mergePatchAndApplyPatchSendTheirContentTypes() async throws {
        let fake = FakeKubeTransport(send: { _ in .json(200, self.widgetJSON("w")) })
        let widgets = KubeClient(transport: fake).resource(Widget.self)
        _ = try await widgets.patch("w", namespace: "n", type: .merge, patch: ["spec": ["size": 5]])
        _ = try await widgets.apply(Widget(metadata: ObjectMeta(name: "w", namespace: "n"), spec: .init(size: 5)), fieldManager: "concord", force: true)
        _ = try await widgets.patch("w", namespace: "n", type: .json, patch: [["op": "replace", "path": "/spec/size", "value": 6]], subresource: "status")
        #expect(fake.requests.map(\.contentType) == ["application/merge-patch+json", "application/apply-patch+yaml", "application/json-patch+json"])
        #expect(fake.requests[1].encodedQuery == "fieldManager=concord&force=true")
        #expect(fake.requests[2].path.hasSuffix("/widgets/w/status"))
    }

    @Test func applyWithoutFieldManagerIsRejectedBeforeSending() async throws {
        let fake = FakeKubeTransport()
        await #expect(throws: KubeUsageError.self) {
            _ = try await KubeClient(transport: fake).resource(Widget.self).patch("w", type: .apply(force: false), body: Data("{}".utf8))
        }
        #expect(fake.requests.isEmpty)
    }

    @Test func listReturnsItemsAndResourceVersion() async throws {
        let fake = FakeKubeTransport(send: { _ in
            .json(200, ["apiVersion": "test.concord.dev/v1", "kind": "WidgetList", "metadata": ["resourceVersion": "77"], "items": [self.widgetJSON("a"), self.widgetJSON("b")]])
        })
        let list = try await KubeClient(transport: fake).resource(Widget.self).list(options: ListOptions(labelSelector: "tier=web"))
        #expect(list.items.map(\.metadata.name) == ["a", "b"])
        #expect(list.resourceVersion == "77")
        #expect(fake.requests.first?.path == "/apis/test.concord.dev/v1/widgets")
        #expect(fake.requests.first?.encodedQuery == "labelSelector=tier%3Dweb")
    }

    @Test func deleteReturnsNilForStatusAndTheObjectWhileFinalizersPend() async throws {
        let fake = FakeKubeTransport(send: { req in
            req.path.hasSuffix("/gone")
                ? .json(200, ["kind": "Status", "apiVersion": "v1", "status": "Success"])
                : .json(200, self.widgetJSON("pending"))
        })
        let widgets = KubeClient(transport: fake).resource(Widget.self)
        #expect(try await widgets.delete("gone", namespace: "n") == nil)
        #expect(try await widgets.delete("pending", namespace: "n", options: DeleteOptions(propagationPolicy: .background))?.metadata.name == "pending")
    }

    @Test func undecodableBodyIsATransportError() async throws {
        let fake = FakeKubeTransport(send: { _ in KubeResponse(statusCode: 200, body: Data("not json".utf8)) })
        do {
            _ = try await KubeClient(transport: fake).resource(Widget.self).get("x")
            Issue.record("expected an error")
        } catch let e as KubeTransportError {
            #expect(e.code == .invalidResponse)
        }
    }

    @Test func typedWatchEventsDecodeObjectsBookmarksAndErrors() async throws {
        let s = FakeWatchStream()
        s.send(.added, widgetJSON("a", rv: "5"))
        s.bookmark("9")
        // Split one event across two chunks.
        let line = Data((JSONValue.object(["type": "MODIFIED", "object": widgetJSON("a", rv: "10", size: 4)]).jsonString() + "\n").utf8)
        s.sendRaw(line.prefix(10))
        s.sendRaw(line.dropFirst(10))
        s.error(code: 410, reason: StatusReason.expired, message: "too old")
        s.close()
        let fake = FakeKubeTransport(stream: { _ in s.response })
        var out: [String] = []
        for try await e in try await KubeClient(transport: fake).resource(Widget.self).watchEvents(namespace: "n", options: WatchOptions(list: ListOptions(resourceVersion: "4"))) {
            switch e {
            case .object(let t, let w): out.append("\(t.rawValue) \(w.metadata.name ?? "") \(w.spec.size)")
            case .bookmark(let rv): out.append("BOOKMARK \(rv ?? "")")
            case .error(let st): out.append("ERROR \(st.code ?? 0) \(st.reason ?? "")")
            }
        }
        #expect(out == ["ADDED a 1", "BOOKMARK 9", "MODIFIED a 4", "ERROR 410 Expired"])
        #expect(fake.requests.first?.encodedQuery == "watch=true&resourceVersion=4&allowWatchBookmarks=true")
    }

    struct ErrorCase: CustomTestStringConvertible, Sendable {
        var code: Int
        var reason: String?
        var check: @Sendable (KubeAPIError) -> Bool
        var testDescription: String { "\(code) \(reason ?? "no Status body")" }
    }

    @Test(arguments: [
        ErrorCase(code: 404, reason: StatusReason.notFound, check: { $0.isNotFound }),
        ErrorCase(code: 409, reason: StatusReason.conflict, check: { $0.isConflict && !$0.isAlreadyExists }),
        ErrorCase(code: 409, reason: StatusReason.alreadyExists, check: { $0.isAlreadyExists && !$0.isConflict }),
        ErrorCase(code: 410, reason: StatusReason.expired, check: { $0.isGone && $0.isExpired }),
        ErrorCase(code: 410, reason: StatusReason.gone, check: { $0.isGone }),
        ErrorCase(code: 422, reason: StatusReason.invalid, check: { $0.isInvalid }),
        ErrorCase(code: 401, reason: StatusReason.unauthorized, check: { $0.isUnauthorized }),
        ErrorCase(code: 404, reason: nil, check: { $0.isNotFound && $0.reason == StatusReason.notFound }),
        ErrorCase(code: 503, reason: nil, check: { $0.isServerError && $0.reason == StatusReason.serviceUnavailable }),
    ])
    func apiErrorsClassifyByReasonAndCode(_ c: ErrorCase) {
        let body: Data = c.reason.map { KubeResponse.status(c.code, reason: $0, message: "m").body } ?? Data("<html>proxy error</html>".utf8)
        let e = KubeAPIError(statusCode: c.code, body: body)
        #expect(c.check(e), "\(e)")
    }
}
