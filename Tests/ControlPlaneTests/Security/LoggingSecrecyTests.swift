import ConcordTesting
import Foundation
import KubernetesAPI
import Logging
import Testing

@testable import ControlPlane

struct LoggingSecrecyTests {
    @Test(arguments: TestStorage.allCases) func requestLogsNameUsersButNeverTokensHeadersOrSecretData(_ storage: TestStorage) async throws {
        let log = CapturedLog()
        let tokens = FileManager.default.temporaryDirectory.appendingPathComponent("concord-tokens-\(UUID().uuidString).csv").path
        try Data("file-token-123,fred,1,\"concord:viewers\"\n".utf8).write(to: URL(fileURLWithPath: tokens))
        defer { TemporaryFiles.remove(tokens) }
        let secretValue = "s3cr3t-value-xyz"
        let encoded = Data(secretValue.utf8).base64EncodedString()
        let adminToken = try await withTestControlPlane(storage: storage, configure: {
            $0.logger = log.logger()
            $0.tokenFile = tokens
        }) { (plane: TestControlPlane) async throws -> String in
            let admin = APIClient(plane)
            let secret: JSONValue = [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "creds", "namespace": "default"], "data": ["password": .string(encoded)],
            ]
            #expect(try await admin.post("/api/v1/namespaces/default/secrets", secret).status == 201)
            #expect(try await admin.get("/api/v1/namespaces/default/secrets/creds").status == 200)
            let truncated = Data(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"bad"},"data":{"password":"\#(encoded)"#.utf8)
            #expect(try await admin.send(.POST, "/api/v1/namespaces/default/secrets", body: truncated).status == 400)
            let anonymous = APIClient(plane, anonymous: true)
            #expect(try await anonymous.get("/token/\(plane.token)/api/v1/namespaces").status == 200)
            #expect(try await anonymous.get("/token/wrong-path-token/api/v1/namespaces").status == 401)
            #expect(try await APIClient(plane, token: "wrong-header-token").get("/api/v1/namespaces").status == 401)
            #expect(try await APIClient(plane, token: "file-token-123").post("/api/v1/namespaces/default/configmaps", Fixtures.configMap("x")).status == 403)
            return plane.token
        }
        let text = log.text
        #expect(text.contains("user=fred"), "the forbidden request names its user")
        #expect(text.contains("Request not authenticated"))
        #expect(text.contains("Served request"), "request logging was captured")
        #expect(adminToken.count == 64)
        for secret in [adminToken, "wrong-path-token", "wrong-header-token", "file-token-123", "/token/", "Bearer", secretValue, encoded] {
            #expect(!text.contains(secret), "the log shows \(secret)")
        }
    }

    @Test(arguments: TestStorage.allCases) func presentedWrongTokenGets401EvenOnPublicPaths(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { (plane: TestControlPlane) async throws in
            #expect(try await APIClient(plane, token: "wrong").get("/healthz").status == 401)
            #expect(try await APIClient(plane, anonymous: true).get("/healthz").status == 200)
            #expect(try await APIClient(plane).get("/healthz").status == 200)
        }
    }
}
