import Foundation
import Testing

@testable import ConcordCLI

struct UpLayoutTests {
    @Test func upJSONHasTheDocumentedShape() throws {
        let layout = UpLayout(
            hub: .init(port: 7000, pid: 10, dataDir: "/d/hub", kubeconfig: "/d/hub/kubeconfig"),
            datacenters: [.init(name: "us-east", region: "us-east-1", port: 7001, pid: 11, dataDir: "/d/us-east", kubeconfig: "/d/us-east/kubeconfig")],
            controller: .init(pid: 12, log: "/d/logs/controller.log"))
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(layout)) as? [String: Any]
        let hub = json?["hub"] as? [String: Any]
        #expect(hub?["port"] as? Int == 7000)
        #expect(hub?["pid"] as? Int == 10)
        #expect(hub?["kubeconfig"] as? String == "/d/hub/kubeconfig")
        let dc = (json?["datacenters"] as? [[String: Any]])?.first
        #expect(dc?["name"] as? String == "us-east")
        #expect(dc?["region"] as? String == "us-east-1")
        #expect(dc?["port"] as? Int == 7001)
        #expect(dc?["dataDir"] as? String == "/d/us-east")
        #expect(dc?["kubeconfig"] as? String == "/d/us-east/kubeconfig")
        #expect(try JSONDecoder().decode(UpLayout.self, from: JSONEncoder().encode(layout)) == layout)
    }

    @Test func datacentersAreNamedAfterRegions() {
        #expect(DatacenterCatalog.entry(0) == ("us-east", "us-east-1"))
        #expect(DatacenterCatalog.entry(1) == ("us-west", "us-west-2"))
        #expect(DatacenterCatalog.entry(2) == ("eu-central", "eu-central-1"))
        #expect(DatacenterCatalog.entry(20) == ("dc-21", "local-21"))
    }

    @Test func freePortsAreDistinctLoopbackPorts() throws {
        let a = try freeLoopbackPort()
        let b = try freeLoopbackPort()
        #expect(a > 0 && b > 0)
    }
}
