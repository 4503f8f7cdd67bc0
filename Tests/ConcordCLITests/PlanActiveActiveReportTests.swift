import FederationAPI
import FederationCore
import Foundation
import Testing

@testable import ConcordCLI

/// `concord plan` on an ActiveActive ServiceFailover speaks of its division, not of an active datacenter.
struct PlanActiveActiveReportTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func datacenter(_ name: String) -> Datacenter {
        Datacenter(
            metadata: ObjectMeta(name: name, labels: ["tier": "web"]), spec: DatacenterSpec(region: "\(name)-1"),
            status: DatacenterStatus(
                phase: .ready,
                conditions: [Condition(type: Datacenter.ConditionType.ready, status: .true, lastTransitionTime: KubeTime(now.addingTimeInterval(-600)), reason: "Healthy")]))
    }

    static let web = ServiceFailover(
        metadata: ObjectMeta(name: "web", namespace: "shop", generation: 1),
        spec: ServiceFailoverSpec(
            service: "web", primary: "us-east", mode: .activeActive, replicas: 12,
            placement: PlacementSpec(datacenterSelector: LabelSelector(matchLabels: ["tier": "web"]), weights: [DatacenterWeight(datacenter: "us-east", weight: 2)])),
        status: ServiceFailoverStatus(
            observedGeneration: 1, phase: .active,
            datacenters: [
                ServiceDatacenterStatus(name: "eu-central", role: .active, reachable: true, desiredReplicas: 3, readyReplicas: 3),
                ServiceDatacenterStatus(name: "us-east", role: .active, reachable: true, desiredReplicas: 6, readyReplicas: 6),
                ServiceDatacenterStatus(name: "us-west", role: .active, reachable: true, desiredReplicas: 3, readyReplicas: 3),
            ]))

    @Test func aSettledPlacementIsDescribedByItsDivisionAndALossByTheNewOne() {
        let dcs = ["eu-central", "us-east", "us-west"].map(Self.datacenter)
        let settled = ServicePlanReport.plan(Self.web, datacenters: dcs, unreachable: [], cordoned: [], now: Self.now)
        #expect(settled.text.hasPrefix("ServiceFailover shop/web: placed eu-central=3,us-east=6,us-west=3 (Active)"), "\(settled.text)")
        #expect(!settled.text.contains("active in") && !settled.text.contains("would become"), "\(settled.text)")
        let lost = ServicePlanReport.plan(Self.web, datacenters: dcs, unreachable: ["us-east"], cordoned: [], now: Self.now)
        #expect(lost.text.contains("  would become Progressing placed eu-central=6,us-west=6"), "\(lost.text)")
        #expect(lost.activeDatacenter == nil && lost.plannedActiveDatacenter == nil)
    }

    /// Capacity another ServiceFailover already holds is counted as the controller counts it: eu-central
    /// (room for 8) runs 5 replicas of `api`, so it can take 3 of `web`'s, not 6.
    @Test func capacityOtherServicesHoldIsCounted() {
        var dcs = ["eu-central", "us-east", "us-west"].map(Self.datacenter)
        dcs[0].spec.capacity = DatacenterCapacity(replicas: 8)
        let api = ServiceFailover(
            metadata: ObjectMeta(name: "api", namespace: "shop", uid: "api-uid", generation: 1),
            spec: ServiceFailoverSpec(service: "api", primary: "eu-central", mode: .activeActive, replicas: 5),
            status: ServiceFailoverStatus(datacenters: [ServiceDatacenterStatus(name: "eu-central", role: .active, reachable: true, desiredReplicas: 5, readyReplicas: 5)]))
        let alone = ServicePlanReport.plan(Self.web, datacenters: dcs, unreachable: ["us-east"], cordoned: [], now: Self.now)
        #expect(alone.text.contains("would become Progressing placed eu-central=6,us-west=6"), "\(alone.text)")
        let shared = ServicePlanReport.plan(Self.web, datacenters: dcs, unreachable: ["us-east"], cordoned: [], now: Self.now, others: [api, Self.web])
        #expect(shared.text.contains("would become Progressing placed eu-central=3,us-west=9"), "\(shared.text)")
    }
}
