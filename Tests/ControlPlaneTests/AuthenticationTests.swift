import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

struct AuthenticationTests {
    @Test(arguments: TestStorage.allCases) func requestsWithoutTokenGet401WithStatusBody(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane, anonymous: true).get("/api/v1/namespaces")
            #expect(reply.status == 401)
            #expect(reply.json["kind"] == "Status")
            #expect(reply.json["reason"] == "Unauthorized")
            #expect(reply.json["code"] == 401)
        }
    }

    @Test(arguments: TestStorage.allCases) func wrongTokenIsRejected(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane, token: "nope").get("/api/v1/namespaces")
            #expect(reply.status == 401)
        }
    }

    @Test(arguments: TestStorage.allCases, ["/healthz", "/livez", "/readyz", "/version"])
    func publicInfoIsServedAnonymously(_ storage: TestStorage, path: String) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let reply = try await APIClient(plane, anonymous: true).get(path)
            #expect(reply.status == 200)
        }
    }

    @Test(arguments: TestStorage.allCases) func tokenInPathPrefixAuthenticatesForClientsThatSendNoHeader(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let anonymous = APIClient(plane, anonymous: true)
            let good = try await anonymous.get("/token/\(plane.token)/api/v1/namespaces/default")
            #expect(good.status == 200)
            #expect(good.json.value(at: ["metadata", "name"]) == "default")
            let bad = try await anonymous.get("/token/wrong/api/v1/namespaces/default")
            #expect(bad.status == 401)
        }
    }

    @Test(arguments: TestStorage.allCases) func kubeconfigCarriesServerTokenAndContext(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage) { plane in
            let text = try String(contentsOfFile: plane.kubeconfigPath, encoding: .utf8)
            #expect(text.contains("server: http://127.0.0.1:\(plane.port)/token/\(plane.token)"))
            #expect(text.contains("token: \(plane.token)"))
            #expect(text.contains("current-context: concord"))
            #expect(plane.token.count == 64)
        }
    }

    @Test(arguments: TestStorage.allCases) func generatedTokenIsKeptAndReusedOnRestart(_ storage: TestStorage) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("concord-token-\(UUID().uuidString)").path
        defer { TemporaryFiles.remove(dir) }
        let first = try await withTestControlPlane(storage: storage, configure: { $0.dataDirectory = dir }) { $0.token }
        let second = try await withTestControlPlane(storage: storage, configure: { $0.dataDirectory = dir }) { $0.token }
        #expect(!first.isEmpty)
        #expect(first == second)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/token")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }
}

struct AuthenticationDisabledTests {
    @Test(arguments: TestStorage.allCases) func withoutAuthenticationEveryoneIsServedAndTheKubeconfigHasNoToken(_ storage: TestStorage) async throws {
        try await withTestControlPlane(storage: storage, configure: { $0.requiresAuthentication = false }) { plane in
            let reply = try await APIClient(plane, anonymous: true).get("/api/v1/namespaces")
            #expect(reply.status == 200)
            let text = try String(contentsOfFile: plane.kubeconfigPath, encoding: .utf8)
            #expect(text.contains("server: http://127.0.0.1:\(plane.port)\n"))
            #expect(!text.contains("token"))
            #expect(plane.token.isEmpty)
        }
    }
}
