import ConcordTesting
import Foundation
import KubernetesAPI
import Testing

@testable import ControlPlane

/// `/livez`, `/readyz` and `/healthz` answer as kube-apiserver's do: `ok`, the check list with
/// `?verbose`, one check by its path, and 404 for a check the endpoint does not have.
struct HealthEndpointTests {
    @Test func verboseListsTheChecksAndUnknownChecksAre404() async throws {
        try await withTestControlPlane { plane in
            let client = APIClient(plane)
            #expect(try await client.get("/livez").text == "ok")
            #expect(try await client.get("/livez?verbose").text == "[+]ping ok\nlivez check passed\n")
            #expect(try await client.get("/readyz?verbose").text == "[+]ping ok\n[+]storage ok\nreadyz check passed\n")
            #expect(try await client.get("/readyz/storage").text == "ok")
            #expect(try await client.get("/livez/ping").text == "ok")
            let unknown = try await client.get("/livez/nope")
            #expect(unknown.status == 404)
            #expect(unknown.text == "404 page not found\n")
            #expect(try await client.get("/livez/storage").status == 404)
        }
    }
}
