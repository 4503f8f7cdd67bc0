import AsyncHTTPClient
import ConcordTesting
import Foundation
import KubernetesAPI
import NIOCore
import NIOHTTP1

/// A plain HTTP client for route tests: sends requests to a test control plane and decodes JSON answers.
struct APIClient: Sendable {
    let plane: TestControlPlane
    var token: String?

    init(_ plane: TestControlPlane, token: String? = nil, anonymous: Bool = false) {
        self.plane = plane
        self.token = anonymous ? nil : (token ?? plane.token)
    }

    struct Reply: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        /// The body as JSON; a body that is not JSON becomes a string naming it, so assertions on it fail visibly.
        var json: JSONValue {
            do { return try JSONValue(parsing: body) } catch { return .string("not JSON: \(text)") }
        }
        var contentType: String { headers.first(name: "content-type") ?? "" }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func send(
        _ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String? = "application/json",
        accept: String? = nil, headers extra: [(String, String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: plane.baseURL.absoluteString + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        if let body {
            if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        for (k, v) in extra { request.headers.add(name: k, value: v) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 32 * 1024 * 1024)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(buffer: buffer))
    }

    func get(_ path: String, accept: String? = nil) async throws -> Reply { try await send(.GET, path, accept: accept) }

    func post(_ path: String, _ object: JSONValue, query: String = "") async throws -> Reply {
        try await send(.POST, path + query, body: object.jsonData())
    }

    func put(_ path: String, _ object: JSONValue, query: String = "") async throws -> Reply {
        try await send(.PUT, path + query, body: object.jsonData())
    }

    func patch(_ path: String, _ patch: JSONValue, type: String = "application/merge-patch+json") async throws -> Reply {
        try await send(.PATCH, path, body: patch.jsonData(), contentType: type)
    }

    func delete(_ path: String, body: JSONValue? = ["propagationPolicy": "Background"]) async throws -> Reply {
        try await send(.DELETE, path, body: body?.jsonData())
    }

    /// A client whose read timeout bounds how long a test waits for the next watch event.
    static let watchClient = HTTPClient(
        eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(15))))

    /// Opens a watch and returns its lines as JSON values, in order.
    func watch(_ path: String, accept: String? = nil) async throws -> WatchLines {
        var request = HTTPClientRequest(url: plane.baseURL.absoluteString + path)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        let response = try await Self.watchClient.execute(request, timeout: .seconds(30))
        return WatchLines(status: Int(response.status.code), body: response.body)
    }
}

/// The events of a watch stream, one JSON value per line.
struct WatchLines: AsyncSequence, Sendable {
    typealias Element = JSONValue
    let status: Int
    let body: HTTPClientResponse.Body

    struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: HTTPClientResponse.Body.AsyncIterator
        var pending: [UInt8] = []

        mutating func next() async throws -> JSONValue? {
            while true {
                if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = Array(pending[..<newline])
                    pending.removeFirst(newline + 1)
                    if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                    return try JSONValue(parsing: Data(line))
                }
                guard let chunk = try await chunks.next() else { return nil }
                pending += Array(buffer: chunk)
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(chunks: body.makeAsyncIterator()) }
}

/// Fixtures shared by the tests.
enum Fixtures {
    /// A ClusterRoleBinding of `role` to users and groups.
    static func clusterRoleBinding(_ name: String, role: String, users: [String] = [], groups: [String] = []) -> JSONValue {
        let subjects = users.map { JSONValue.object(["kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": .string($0)]) }
            + groups.map { JSONValue.object(["kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": .string($0)]) }
        return [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": ["name": .string(name)],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(role)], "subjects": .array(subjects),
        ]
    }

    /// The path of ClusterRoleBindings.
    static let clusterRoleBindings = "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"

    static func configMap(_ name: String, namespace: String = "default", labels: [String: String] = [:], data: [String: String] = ["k": "v"]) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": .object(labels.mapValues(JSONValue.string))],
            "data": .object(data.mapValues(JSONValue.string)),
        ]
    }

    static func widget(_ name: String, size: Int64 = 3, extra: [String: JSONValue] = [:], labels: [String: String] = [:]) -> JSONValue {
        var spec: [String: JSONValue] = ["size": .int(size)]
        for (k, v) in extra { spec[k] = v }
        return [
            "apiVersion": "example.com/v1", "kind": "Widget",
            "metadata": ["name": .string(name), "labels": .object(labels.mapValues(JSONValue.string))],
            "spec": .object(spec),
        ]
    }

    static let widgetSchema: JSONValue = [
        "type": "object",
        "properties": [
            "spec": [
                "type": "object", "required": ["size"],
                "properties": [
                    "size": ["type": "integer", "minimum": 0, "maximum": 100],
                    "mode": ["type": "string", "enum": ["Push", "Pull"], "default": "Push"],
                    "color": ["type": "string", "maxLength": 10],
                    "tags": ["type": "array", "items": ["type": "string"], "x-kubernetes-list-type": "set"],
                    "settings": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                    "limits": ["type": "object", "default": [:], "properties": ["cpu": ["type": "integer", "default": 2]]],
                ],
            ],
            "status": [
                "type": "object",
                "properties": [
                    "phase": ["type": "string", "enum": ["Ready", "Failed"]],
                    "conditions": ["type": "array", "items": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
                ],
            ],
        ],
    ]

    static let widgetCRD: JSONValue = [
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": ["name": "widgets.example.com"],
        "spec": [
            "group": "example.com", "scope": "Namespaced",
            "names": ["plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"], "categories": ["concord"]],
            "versions": [[
                "name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
                "schema": ["openAPIV3Schema": widgetSchema],
                "additionalPrinterColumns": [
                    ["name": "Size", "type": "integer", "jsonPath": ".spec.size"],
                    ["name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"],
                    ["name": "Color", "type": "string", "priority": 1, "jsonPath": ".spec.color"],
                    ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                ],
            ]],
        ],
    ]

    static let widgets = "/apis/example.com/v1/namespaces/default/widgets"

    /// Installs the Widget CRD.
    static func installWidgets(_ client: APIClient) async throws {
        let reply = try await client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", widgetCRD)
        guard reply.status == 201 else { throw FixtureError(message: "CRD install failed: \(reply.status) \(reply.text)") }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Cleanup of files a test created.
enum TemporaryFiles {
    static func remove(_ path: String) {
        do { try FileManager.default.removeItem(atPath: path) } catch { print("could not remove \(path): \(error)") }
    }
}
