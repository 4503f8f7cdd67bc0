import ConcordTesting
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Testing

/// One Service, one ServiceFailover: a second one for the same Service is stalled with the reason and
/// acts on nothing, and manages the Service once the first is deleted.
@Suite(.serialized) struct ServiceClaimTests {
    typealias Setup = FailoverTestSetup

    @Test func aSecondServiceFailoverForTheSameServiceIsStalledUntilTheFirstIsGone() async throws {
        let labels = ["us-east": ["tier": "web"], "us-west": ["tier": "web"]]
        try await Setup.withFederation(["us-east", "us-west"], labels: labels) { f in
            try await Setup.deploy("web", replicas: 1, in: f.members["us-east"]!)
            let failovers = f.hub.resource(ServiceFailover.self)
            _ = try await failovers.create(ServiceFailover(metadata: ObjectMeta(name: "web", namespace: "shop"), spec: ActiveActiveControllerTests.web(replicas: 6)), namespace: "shop")
            try await waitUntil("4/2", timeout: .seconds(30)) { try await ActiveActiveControllerTests.placement(f) == ["us-east": "4", "us-west": "2"] }
            _ = try await failovers.create(ServiceFailover(metadata: ObjectMeta(name: "web-dup", namespace: "shop"), spec: ActiveActiveControllerTests.web(replicas: 3)), namespace: "shop")
            try await f.waitForStatus("the second one stalled, naming the first", "web-dup") { s in
                s.conditions.isTrue("Stalled") && s.conditions.condition("Ready")?.reason == ServiceFailover.Reason.serviceClaimed
                    && (s.conditions.condition("Ready")?.message.contains("ServiceFailover web (created first) already manages Service web") ?? false)
                    && s.datacenters.isEmpty && s.phase == .blocked
            }
            // The first one's division stands, and it stays Ready.
            try await f.waitForStatus("the first one still Ready", "web") { s in s.conditions.isTrue("Ready") && s.placement == "us-east=4,us-west=2" }
            #expect(try await ActiveActiveControllerTests.placement(f) == ["us-east": "4", "us-west": "2"])
            // Deleted, the first leaves the members to the second, which divides its own total.
            try await failovers.delete("web", namespace: "shop")
            try await waitUntil("2/1 for web-dup", timeout: .seconds(30)) { try await ActiveActiveControllerTests.placement(f) == ["us-east": "2", "us-west": "1"] }
            try await f.waitForStatus("the second one Ready", "web-dup") { s in s.conditions.isTrue("Ready") && !s.conditions.isTrue("Stalled") }
        }
    }
}
