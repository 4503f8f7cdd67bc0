import Foundation
import KubeClient
import KubernetesAPI
import Testing

/// What a fake server does with every request.
private enum Behaviour: Sendable, CustomStringConvertible {
    case answers(Int)
    case fails(KubeTransportError.Code)

    var description: String {
        switch self {
        case .answers(let code): return "answers \(code)"
        case .fails(let code): return "fails \(code)"
        }
    }

    func transport() -> FakeKubeTransport {
        let respond: @Sendable () throws -> Int = {
            switch self {
            case .answers(let code): return code
            case .fails(let code): throw KubeTransportError(code, "fake server")
            }
        }
        return FakeKubeTransport(
            send: { _ in .status(try respond(), reason: "Fake", message: "fake") },
            stream: { _ in KubeStreamingResponse(statusCode: try respond(), body: .chunks([])) })
    }
}

/// One row: what the first server does, the method, which servers see the request, what the
/// caller gets, and which server the next request goes to first.
private struct Row: Sendable, CustomStringConvertible {
    var first: Behaviour
    var method: KubeHTTPMethod
    var reached: [Int]
    var outcome: String
    var nextServer: String

    var description: String { "\(method.rawValue) to a server that \(first)" }
}

private let rows: [Row] = [
    Row(first: .answers(200), method: .get, reached: [1, 0], outcome: "200", nextServer: "a"),
    Row(first: .answers(404), method: .get, reached: [1, 0], outcome: "404", nextServer: "a"),
    Row(first: .answers(500), method: .post, reached: [1, 0], outcome: "500", nextServer: "a"),
    Row(first: .answers(503), method: .post, reached: [1, 1], outcome: "200", nextServer: "b"),
    Row(first: .answers(502), method: .get, reached: [1, 1], outcome: "200", nextServer: "b"),
    Row(first: .fails(.connectionRefused), method: .post, reached: [1, 1], outcome: "200", nextServer: "b"),
    Row(first: .fails(.connectTimeout), method: .delete, reached: [1, 1], outcome: "200", nextServer: "b"),
    Row(first: .fails(.connectionClosed), method: .get, reached: [1, 1], outcome: "200", nextServer: "b"),
    Row(first: .fails(.timeout), method: .get, reached: [1, 1], outcome: "200", nextServer: "b"),
    Row(first: .fails(.connectionClosed), method: .put, reached: [1, 0], outcome: "connectionClosed", nextServer: "b"),
    Row(first: .fails(.timeout), method: .patch, reached: [1, 0], outcome: "timeout", nextServer: "b"),
    Row(first: .fails(.tls), method: .get, reached: [1, 0], outcome: "tls", nextServer: "a"),
]

private func outcome(_ body: () async throws -> Int) async -> String {
    do {
        return String(try await body())
    } catch let e as KubeTransportError {
        return e.code.description
    } catch {
        return "\(error)"
    }
}

struct FailoverTransportTests {
    @Test(arguments: rows)
    fileprivate func sendFailsOverAsTheTableSays(_ row: Row) async {
        let a = row.first.transport(), b = Behaviour.answers(200).transport()
        let failover = FailoverTransport(endpoints: [.init(name: "a", transport: a), .init(name: "b", transport: b)])
        let got = await outcome { try await failover.send(KubeRequest(method: row.method, path: "/api/v1/namespaces")).statusCode }
        #expect(got == row.outcome)
        #expect([a.requests.count, b.requests.count] as [Int] == row.reached)
        #expect(failover.activeServer == row.nextServer)
    }

    @Test(arguments: rows)
    fileprivate func streamFailsOverAsTheTableSays(_ row: Row) async {
        let a = row.first.transport(), b = Behaviour.answers(200).transport()
        let failover = FailoverTransport(endpoints: [.init(name: "a", transport: a), .init(name: "b", transport: b)])
        let got = await outcome { try await failover.stream(KubeRequest(method: row.method, path: "/api/v1/pods", query: [QueryItem("watch", "true")])).statusCode }
        #expect(got == row.outcome)
        #expect([a.requests.count, b.requests.count] as [Int] == row.reached)
    }

    @Test func stickToTheServerThatAnsweredAndWrapAround() async throws {
        let a = Behaviour.fails(.connectionRefused).transport()
        let b = Behaviour.answers(200).transport()
        let c = Behaviour.answers(200).transport()
        let failover = FailoverTransport(endpoints: [.init(name: "a", transport: a), .init(name: "b", transport: b), .init(name: "c", transport: c)])
        for _ in 0..<3 { _ = try await failover.send(KubeRequest(method: .get, path: "/api")) }
        #expect([a.requests.count, b.requests.count, c.requests.count] as [Int] == [1, 3, 0] as [Int], "a refused once; b answered and stays the server")
    }

    @Test func everyServerDownGivesTheLastServersErrorAndTriesEachOnce() async {
        let servers = (0..<3).map { _ in Behaviour.fails(.connectionRefused).transport() }
        let failover = FailoverTransport(endpoints: servers.enumerated().map { .init(name: "s\($0.offset)", transport: $0.element) })
        let got = await outcome { try await failover.send(KubeRequest(method: .get, path: "/api")).statusCode }
        #expect(got == "connectionRefused")
        #expect(servers.map(\.requests.count) == [1, 1, 1] as [Int])
    }

    @Test func everyServerUnavailableGivesTheLastAnswer() async throws {
        let a = Behaviour.answers(503).transport(), b = Behaviour.answers(504).transport()
        let failover = FailoverTransport(endpoints: [.init(name: "a", transport: a), .init(name: "b", transport: b)])
        let response = try await failover.send(KubeRequest(method: .get, path: "/api"))
        #expect(response.statusCode == 504)
    }

    @Test func serversExtensionListsTheOtherServersInOrderOnce() throws {
        let dir = try TempDirectory()
        let path = try dir.write("hub.yaml", hubKubeconfig("extension: {servers: [https://127.0.0.1:6443, https://127.0.0.1:6444, https://127.0.0.1:6445, https://127.0.0.1:6444]}"))
        let c = try ClientConfiguration.load(kubeconfigPath: path, environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
        #expect(c.servers.map(\.absoluteString) == ["https://127.0.0.1:6443", "https://127.0.0.1:6444", "https://127.0.0.1:6445"])
    }

    @Test func addingTheExtensionKeepsTheKubeconfigAndListsEveryServer() throws {
        let dir = try TempDirectory()
        let original = kubeconfig(server: "https://127.0.0.1:6443")
        let text = try ServersExtension.adding(servers: ["https://127.0.0.1:6443", "https://127.0.0.1:6444"], to: original)
        let path = try dir.write("hub.yaml", text)
        let c = try ClientConfiguration.load(kubeconfigPath: path, environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
        #expect(c.server.absoluteString == "https://127.0.0.1:6443", "kubectl keeps talking to the first server")
        #expect(c.servers.map(\.absoluteString) == ["https://127.0.0.1:6443", "https://127.0.0.1:6444"])
        let again = try ServersExtension.adding(servers: ["https://127.0.0.1:6443", "https://127.0.0.1:6445"], to: text)
        let replaced = try ClientConfiguration.load(kubeconfigPath: try dir.write("again.yaml", again), environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
        #expect(replaced.alternateServers.map(\.absoluteString) == ["https://127.0.0.1:6445"], "a second list replaces the first")
    }

    @Test(arguments: [
        ("extension: {servers: https://127.0.0.1:6444}", "without a servers list"),
        ("extension: {servers: [6444]}", "not a string"),
        ("extension: {servers: [\"ftp://127.0.0.1:6444\"]}", "not an http(s) URL"),
    ])
    func malformedServersExtensionIsAClearError(_ extensionLine: String, _ words: String) throws {
        let dir = try TempDirectory()
        let path = try dir.write("hub.yaml", hubKubeconfig(extensionLine))
        do {
            _ = try ClientConfiguration.load(kubeconfigPath: path, environment: ConfigEnvironment(variables: [:], homeDirectory: nil))
            Issue.record("expected a KubeConfigError")
        } catch let e as KubeConfigError {
            #expect(e.code == .invalidServer)
            #expect(e.message.contains(words), "\(e.message)")
        }
    }
}

/// A kubeconfig whose one cluster carries the servers extension with `extensionLine` as its body.
private func hubKubeconfig(_ extensionLine: String) -> String {
    """
    clusters:
    - name: hub
      cluster:
        server: https://127.0.0.1:6443
        extensions:
        - name: federation.concord.dev/servers
          \(extensionLine)
    contexts:
    - {name: hub, context: {cluster: hub}}
    current-context: hub
    """
}
