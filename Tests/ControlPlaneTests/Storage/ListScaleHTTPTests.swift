import ConcordTesting
import ControlPlane
import Foundation
import KubernetesAPI
import Testing

/// Lists of 10,000 objects over HTTP: whole, and page by page.
@Suite("Large lists over HTTP", .serialized)
struct ListScaleHTTPTests {
    @Test(arguments: TestStorage.allCases) func tenThousandConfigMapsListWholeAndInPagesWithoutLossOrRepeats(_ storage: TestStorage) async throws {
        let opened = LockedBox<(any ObjectStore)?>(nil)
        // 10,000 writes on an etcd of its own: on the shared one they would slow every other etcd-backed test.
        try await withTestControlPlane(storage: storage, ownEtcd: true, configure: { config in
            let open = config.makeStore ?? storage.makeStore()
            config.makeStore = { directory in
                let store = try await open(directory)
                opened.update { $0 = store }
                return store
            }
        }) { plane in
            let store = try #require(opened.value)
            try await createConfigMaps(store, count: 10_000, prefix: "item", data: ["value": .string(String(repeating: "x", count: 1024))])
            let client = APIClient(plane)
            // How fast this is, is measured by hack/bench/run.sh (LIST latency); here only what it returns.
            let whole = try await client.get("/api/v1/namespaces/default/configmaps")
            #expect(whole.status == 200)
            let items = whole.json["items"]?.arrayValue ?? []
            #expect(items.count == 10_000)

            var names: [String] = []
            var token: String?
            var pages = 0
            repeat {
                let query = "?limit=1000" + (token.map { "&continue=\($0)" } ?? "")
                let page = try await client.get("/api/v1/namespaces/default/configmaps" + query)
                #expect(page.status == 200)
                names += (page.json["items"]?.arrayValue ?? []).compactMap { $0.value(at: ["metadata", "name"])?.stringValue }
                token = page.json.value(at: ["metadata", "continue"])?.stringValue
                pages += 1
            } while token != nil && pages < 20
            #expect(pages == 10)
            #expect(names.count == 10_000)
            #expect(Set(names).count == 10_000)
        }
    }
}
