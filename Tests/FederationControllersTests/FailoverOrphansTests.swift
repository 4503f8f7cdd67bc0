import FederationAPI
import Foundation
import KubeClient
import Testing

@testable import FederationControllers

/// How leftovers of a deleted ServiceFailover are told apart and in which order they go.
struct FailoverOrphansTests {
    static let stamped: JSONValue = ["federation.concord.dev/source-datacenter": "us-east"]

    @Test func leftoversAreToldApartByKindAndStamp() {
        let copy: JSONValue = ["metadata": ["name": "web", "annotations": Self.stamped], "spec": ["replicas": 2]]
        #expect(FailoverOrphans.leftover(copy, kind: "Deployment") == .workloadCopy(replicas: 2))
        #expect(FailoverOrphans.leftover(["metadata": ["name": "web"]], kind: "Deployment") == nil)
        #expect(FailoverOrphans.leftover(["metadata": ["name": "web", "annotations": Self.stamped]], kind: "Service") == .serviceCopy(service: "web"))
        #expect(FailoverOrphans.leftover(["metadata": ["name": "web-global"]], kind: "Service") == .globalService(service: "web"))
    }

    @Test func workloadCopiesGoFirstAndServiceCopiesLast() {
        let found: [FailoverOrphans.Leftover] = [.serviceCopy(service: "web"), .globalSlice(service: "web"), .workloadCopy(replicas: 0), .globalService(service: "web")]
        let order = found.sorted { FailoverOrphans.removalRank($0) < FailoverOrphans.removalRank($1) }
        #expect(order.first == .workloadCopy(replicas: 0))
        #expect(order.last == .serviceCopy(service: "web"))
    }
}
