import AsyncHTTPClient
import ConcordTesting
import Foundation
import KubernetesAPI
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

@testable import ControlPlane

/// An HTTPS client for one test: trusts `caPEM`, optionally presents a client certificate.
private func withTLSClient<T>(
    caPEM: String, clientCertificate: IssuedCertificate? = nil, _ body: (HTTPClient) async throws -> T
) async throws -> T {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
    if let clientCertificate {
        tls.certificateChain = [.certificate(try NIOSSLCertificate(bytes: Array(try clientCertificate.certificatePEM.utf8), format: .pem))]
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(clientCertificate.privateKeyPEM.utf8), format: .pem))
    }
    var configuration = HTTPClient.Configuration(tlsConfiguration: tls, timeout: .init(connect: .seconds(3), read: .seconds(15)))
    configuration.connectionPool.retryConnectionEstablishment = false
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try await client.shutdown()
        throw error
    }
}

/// Sends one request; returns the status and the JSON body.
private func send(
    _ client: HTTPClient, _ plane: TestControlPlane, _ path: String, method: HTTPMethod = .GET, token: String? = nil, body: JSONValue? = nil
) async throws -> (status: Int, json: JSONValue) {
    var request = HTTPClientRequest(url: plane.baseURL.absoluteString + path)
    request.method = method
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    if let body {
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body.jsonData()))
    }
    let response = try await client.execute(request, timeout: .seconds(20))
    let data = Data(buffer: try await response.body.collect(upTo: 8 << 20))
    let json = (try? JSONValue(parsing: data)) ?? .string(String(decoding: data, as: UTF8.self))
    return (Int(response.status.code), json)
}

private func generatedTLS(_ config: inout ControlPlaneConfiguration) {
    config.tls = ServingTLS(certificate: .generated(additionalNames: ["cp.example.com"]))
}

struct TLSServingTests {
    @Test(arguments: TestStorage.allCases) func kubeconfigNamesTheHTTPSServerItsCAAndAPlainToken(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage, configure: generatedTLS) { plane in
            #expect(plane.baseURL.scheme == "https")
            let text = try String(contentsOfFile: plane.kubeconfigPath, encoding: .utf8)
            let caPEM = try String(contentsOfFile: plane.dataDirectory + "/ca.crt", encoding: .utf8)
            #expect(text.contains("server: https://127.0.0.1:\(plane.port)\n"))
            #expect(text.contains("certificate-authority-data: \(Data(caPEM.utf8).base64EncodedString())\n"))
            #expect(text.contains("token: \(plane.token)\n"))
            #expect(!text.contains("/token/"))
            #expect(plane.server.certificateAuthorityPEM == caPEM)
        }
    }

    @Test(arguments: TestStorage.allCases) func httpsWithTheTokenIsServedAndWithoutItGets401StatusBody(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage, configure: generatedTLS) { plane in
            try await withTLSClient(caPEM: try #require(plane.server.certificateAuthorityPEM)) { client in
                let good = try await send(client, plane, "/api/v1/namespaces/default", token: plane.token)
                #expect(good.status == 200)
                #expect(good.json.value(at: ["metadata", "name"]) == "default")

                let anonymous = try await send(client, plane, "/api/v1/namespaces")
                #expect(anonymous.status == 401)
                #expect(anonymous.json == [
                    "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure", "message": "Unauthorized",
                    "reason": "Unauthorized", "code": 401,
                ])
                #expect(try await send(client, plane, "/api/v1/namespaces", token: "wrong").status == 401)
                #expect(try await send(client, plane, "/readyz").status == 200)
            }
        }
    }

    @Test(arguments: TestStorage.allCases) func aClientThatTrustsAnotherCAFailsTheHandshake(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage, configure: generatedTLS) { plane in
            let other = try CertificateAuthority.generate(commonName: "other", now: Date())
            await #expect(throws: (any Error).self) {
                try await withTLSClient(caPEM: try other.certificatePEM) { client in
                    try await send(client, plane, "/version")
                }
            }
        }
    }

    @Test(arguments: TestStorage.allCases) func clientCertificateSignedByTheClientCAAuthenticatesAsItsCommonName(_ storage: TestStorage) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("concord-client-ca-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { TemporaryFiles.remove(dir) }
        let clientCA = try CertificateAuthority.generate(commonName: "clients", now: Date())
        try Data(try clientCA.certificatePEM.utf8).write(to: URL(fileURLWithPath: dir + "/client-ca.crt"))
        let admin = try clientCA.issueClientCertificate(user: "ada", groups: ["ops"], now: Date())
        let viewer = try clientCA.issueClientCertificate(user: "carol", groups: [Authorizer.viewersGroup], now: Date())
        let stranger = try CertificateAuthority.generate(commonName: "stranger", now: Date()).issueClientCertificate(user: "mallory", now: Date())

        try await withTestControlPlane(storage: storage, configure: { $0.tls = ServingTLS(clientCAFile: dir + "/client-ca.crt") }) { plane in
            let ca = try #require(plane.server.certificateAuthorityPEM)
            try await withTLSClient(caPEM: ca) { (client: HTTPClient) async throws in
                let bound = try await send(
                    client, plane, Fixtures.clusterRoleBindings, method: .POST, token: plane.token,
                    body: Fixtures.clusterRoleBinding("ops-edit", role: "edit", groups: ["ops"]))
                #expect(bound.status == 201, "\(bound.json)")
            }
            try await withTLSClient(caPEM: ca, clientCertificate: admin) { client in
                let created = try await send(client, plane, "/api/v1/namespaces/default/configmaps", method: .POST, body: Fixtures.configMap("by-cert"))
                #expect(created.status == 201, "\(created.json)")
            }
            try await withTLSClient(caPEM: ca, clientCertificate: viewer) { client in
                #expect(try await send(client, plane, "/api/v1/namespaces/default/configmaps").status == 200)
                let denied = try await send(client, plane, "/api/v1/namespaces/default/configmaps/by-cert", method: .DELETE)
                #expect(denied.status == 403)
                #expect(denied.json["message"] == #"configmaps "by-cert" is forbidden: User "carol" cannot delete resource "configmaps" in API group "" in the namespace "default""#)
            }
            try await withTLSClient(caPEM: ca) { (client: HTTPClient) async throws in
                #expect(try await send(client, plane, "/api/v1/namespaces").status == 401)
                #expect(try await send(client, plane, "/api/v1/namespaces", token: plane.token).status == 200)
            }
            await #expect(throws: (any Error).self) {
                try await withTLSClient(caPEM: ca, clientCertificate: stranger) { client in
                    try await send(client, plane, "/api/v1/namespaces")
                }
            }
        }
    }
}

struct TokenFileAuthenticationTests {
    private func withTokenFile<T>(_ text: String, _ body: (String) async throws -> T) async throws -> T {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("concord-tokens-\(UUID().uuidString).csv").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { TemporaryFiles.remove(path) }
        return try await body(path)
    }

    @Test(arguments: TestStorage.allCases) func everyListedTokenAuthenticatesBesideTheOwnToken(_ storage: TestStorage) async throws {
        try await withTokenFile("alice-token,alice,1001,\"dev,ops\"\nbob-token,bob,1002\n") { file in
            try await withTestControlPlane(storage: storage, configure: { $0.tokenFile = file }) { plane in
                let bound = try await APIClient(plane).post(Fixtures.clusterRoleBindings, Fixtures.clusterRoleBinding("readers", role: "view", users: ["alice", "bob"]))
                #expect(bound.status == 201, "\(bound.json)")
                for token in ["alice-token", "bob-token", plane.token] {
                    #expect(try await APIClient(plane, token: token).get("/api/v1/namespaces").status == 200, "\(token)")
                }
                #expect(try await APIClient(plane, token: "carol-token").get("/api/v1/namespaces").status == 401)
                let viaPath = try await APIClient(plane, anonymous: true).get("/token/bob-token/api/v1/namespaces/default")
                #expect(viaPath.status == 200)
            }
        }
    }

    @Test(arguments: TestStorage.allCases) func viewersMayReadButWritesAndSecretsGet403StatusBodies(_ storage: TestStorage) async throws {
        try await withTokenFile("view-token,vic,2001,\"concord:viewers\"\n") { file in
            try await withTestControlPlane(storage: storage, configure: { $0.tokenFile = file }) { plane in
                let vic = APIClient(plane, token: "view-token")
                #expect(try await vic.get("/api/v1/namespaces/default/configmaps").status == 200)
                #expect(try await vic.get("/api/v1/namespaces").status == 200)

                let create = try await vic.post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("nope"))
                #expect(create.status == 403)
                #expect(create.json == [
                    "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
                    "message": #"configmaps is forbidden: User "vic" cannot create resource "configmaps" in API group "" in the namespace "default""#,
                    "reason": "Forbidden", "details": ["kind": "configmaps"], "code": 403,
                ])
                let secrets = try await vic.get("/api/v1/namespaces/default/secrets")
                #expect(secrets.status == 403)
                let crds = try await vic.send(.DELETE, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions")
                #expect(crds.json["message"] == #"customresourcedefinitions.apiextensions.k8s.io is forbidden: User "vic" cannot deletecollection resource "customresourcedefinitions" in API group "apiextensions.k8s.io" at the cluster scope"#)
            }
        }
    }

    @Test(arguments: TestStorage.allCases) func aBadTokenFileStopsTheServerWithTheLine(_ storage: TestStorage) async throws {
        try await withTokenFile("good,alice,1\nbad-line\n") { file in
            let error = try await #require(throws: (any Error).self) {
                try await withTestControlPlane(storage: storage, configure: { $0.tokenFile = file }) { _ in }
            }
            #expect("\(error)".contains("tokens"), "\(error)")
            #expect("\(error)".contains("line 2: needs at least 3 columns"), "\(error)")
        }
    }
}
