import ConcordTesting
import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient
import Testing

/// ActiveActive against real control planes that simulate workloads: the division placed in the
/// members, geo-aware global EndpointSlices, a capacity shortfall reported as Degraded, and bad input.
@Suite(.serialized) struct ActiveActiveControllerTests {
    typealias Setup = FailoverTestSetup

    static func web(replicas: Int = 12) -> ServiceFailoverSpec {
        ServiceFailoverSpec(
            service: "web", primary: "us-east", mode: .activeActive, replicas: replicas,
            placement: PlacementSpec(datacenterSelector: LabelSelector(matchLabels: ["tier": "web"]), weights: [DatacenterWeight(datacenter: "us-east", weight: 2)]),
            policy: FailoverPolicy(unhealthyForSeconds: 1))
    }

    /// `spec.replicas` of Deployment web in each member, by name ("-" when absent).
    static func placement(_ f: FailoverTestSetup) async throws -> [String: String] {
        var result: [String: String] = [:]
        for (name, member) in f.members { result[name] = try await Setup.deployment("web", in: member).map { "\($0.replicas)" } ?? "-" }
        return result
    }

    @Test func dividesByWeightRoutesGeoAwareAndReportsAShortfall() async throws {
        let labels = ["us-east": ["tier": "web"], "us-west": ["tier": "web"], "eu-central": ["tier": "web"]]
        try await Setup.withFederation(["us-east", "us-west", "eu-central", "ap-south"], labels: labels) { f in
            let east = f.members["us-east"]!, west = f.members["us-west"]!, ap = f.members["ap-south"]!
            try await Setup.deploy("web", replicas: 1, in: east)
            _ = try await f.hub.resource(ServiceFailover.self).create(ServiceFailover(metadata: ObjectMeta(name: "web", namespace: "shop"), spec: Self.web()), namespace: "shop")
            try await waitUntil("6/3/3, nothing in ap-south", timeout: .seconds(30)) {
                try await Self.placement(f) == ["us-east": "6", "us-west": "3", "eu-central": "3", "ap-south": "-"]
            }
            try await f.waitForStatus("Active and Ready", "web") { s in
                s.phase == .active && s.conditions.isTrue("Ready") && s.datacenters.map(\.name) == ["eu-central", "us-east", "us-west"]
                    && s.datacenters.map(\.desiredReplicas) == [3, 6, 3] && s.datacenters.allSatisfy { $0.role == .active && ($0.endpoints?.count ?? 0) == $0.desiredReplicas }
                    && s.placement == "eu-central=3,us-east=6,us-west=3"
            }
            // Every member routes to the three; us-west's own slice is hinted for its zone only, the others' for theirs.
            try await waitUntil("three global slices in every member", timeout: .seconds(30)) {
                for member in f.members.values where try await Setup.globalRoutes("web", in: member) != ["us-east": 6, "us-west": 3, "eu-central": 3] { return false }
                return true
            }
            let westSlices = try await west.resource(EndpointSlice.self).list(namespace: "shop", options: ListOptions(labelSelector: "kubernetes.io/service-name=web-global")).items
            for slice in westSlices {
                let source = slice.metadata.labels?[FederationAnnotation.sourceDatacenter] ?? ""
                #expect(slice.endpoints.allSatisfy { $0.zone == source && $0.hints?.forZones?.map(\.name) == [source] }, "\(source) in us-west")
            }
            // ap-south runs nothing: its clients fall back to every datacenter (each slice also hinted for ap-south).
            let apSlices = try await ap.resource(EndpointSlice.self).list(namespace: "shop", options: ListOptions(labelSelector: "kubernetes.io/service-name=web-global")).items
            #expect(apSlices.count == 3)
            for slice in apSlices {
                #expect(slice.endpoints.allSatisfy { $0.hints?.forZones?.map(\.name).contains("ap-south") == true })
            }

            // A capacity limit: the division respects it; the others take the rest.
            // A merge patch of the spec, as kubectl patch sends: the controllers write the Datacenter's
            // status meanwhile, so an update of what was read could meet a newer resourceVersion (409).
            _ = try await f.hub.resource(Datacenter.self).patch("us-east", type: .merge, patch: ["spec": ["capacity": ["replicas": 2]]])
            try await waitUntil("capped at 2, the rest elsewhere", timeout: .seconds(30)) {
                try await Self.placement(f) == ["us-east": "2", "us-west": "5", "eu-central": "5", "ap-south": "-"]
            }
            // With at most 3 per datacenter nothing has room for 4 of them: reported, never overcommitted.
            try await f.modify("web") { $0.spec.placement?.maxReplicasPerDatacenter = 3 }
            try await waitUntil("2/3/3", timeout: .seconds(30)) {
                try await Self.placement(f) == ["us-east": "2", "us-west": "3", "eu-central": "3", "ap-south": "-"]
            }
            try await f.waitForStatus("Degraded with the shortfall", "web") { s in
                s.phase == .degraded && s.unplacedReplicas == 4 && s.conditions.condition("Ready")?.reason == "InsufficientCapacity"
            }

            // Bad input for the mode is Ready=False with the reason.
            _ = try await f.hub.resource(ServiceFailover.self).create(
                ServiceFailover(metadata: ObjectMeta(name: "no-total", namespace: "shop"), spec: ServiceFailoverSpec(service: "web", primary: "us-east", mode: .activeActive)), namespace: "shop")
            try await f.waitForStatus("no total stalled", "no-total") { s in
                s.conditions.isTrue("Stalled") && (s.conditions.condition("Ready")?.message.contains("spec.replicas is required") ?? false)
            }
            var tooMany = Self.web()
            tooMany.placement?.minDatacenters = 5
            _ = try await f.hub.resource(ServiceFailover.self).create(ServiceFailover(metadata: ObjectMeta(name: "spread", namespace: "shop"), spec: tooMany), namespace: "shop")
            try await f.waitForStatus("minDatacenters stalled", "spread") { s in
                s.conditions.isTrue("Stalled") && (s.conditions.condition("Ready")?.message.hasSuffix("selects only 3 Datacenters: lower minDatacenters, or label more Datacenters to match the selector.") ?? false)
            }
            var nowhere = Self.web()
            nowhere.placement?.weights = ["us-east", "us-west", "eu-central"].map { DatacenterWeight(datacenter: $0, weight: 0) }
            _ = try await f.hub.resource(ServiceFailover.self).create(ServiceFailover(metadata: ObjectMeta(name: "nowhere", namespace: "shop"), spec: nowhere), namespace: "shop")
            try await f.waitForStatus("weight 0 everywhere stalled, naming the fix", "nowhere") { s in
                s.conditions.isTrue("Stalled") && s.conditions.condition("Ready")?.reason == "InvalidSpec"
                    && (s.conditions.condition("Ready")?.message.contains("gives every selected Datacenter (eu-central, us-east, us-west) weight 0") ?? false)
            }
            var noValues = Self.web()
            noValues.placement?.datacenterSelector = LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "tier", operator: .in)])
            _ = try await f.hub.resource(ServiceFailover.self).create(ServiceFailover(metadata: ObjectMeta(name: "no-values", namespace: "shop"), spec: noValues), namespace: "shop")
            try await f.waitForStatus("a selector Kubernetes would refuse stalled, saying so", "no-values") { s in
                s.conditions.isTrue("Stalled")
                    && (s.conditions.condition("Ready")?.message.contains("spec.placement.datacenterSelector.matchExpressions[0].values: Required value") ?? false)
            }
        }
    }

    /// A datacenter whose label no longer matches gives its share to the others, then its copy is
    /// scaled to 0: it is never left running beside the new division (15 replicas for 12).
    @Test func aDatacenterTakenOutOfTheSelectionScalesItsCopyDown() async throws {
        let labels = ["us-east": ["tier": "web"], "us-west": ["tier": "web"], "eu-central": ["tier": "web"]]
        try await Setup.withFederation(["us-east", "us-west", "eu-central"], labels: labels) { f in
            try await Setup.deploy("web", replicas: 1, in: f.members["us-east"]!)
            _ = try await f.hub.resource(ServiceFailover.self).create(ServiceFailover(metadata: ObjectMeta(name: "web", namespace: "shop"), spec: Self.web()), namespace: "shop")
            try await waitUntil("6/3/3", timeout: .seconds(30)) { try await Self.placement(f) == ["us-east": "6", "us-west": "3", "eu-central": "3"] }
            _ = try await f.hub.resource(Datacenter.self).patch("eu-central", type: .merge, patch: ["metadata": ["labels": ["tier": .null]]])
            try await waitUntil("8/4 and eu-central's copy at 0", timeout: .seconds(30)) { try await Self.placement(f) == ["us-east": "8", "us-west": "4", "eu-central": "0"] }
            try await f.waitForStatus("eu-central no longer listed", "web") { s in
                s.phase == .active && s.datacenters.map(\.name) == ["us-east", "us-west"] && s.placement == "us-east=8,us-west=4"
            }
            // spec.primary moved to a datacenter holding a copy: no template source, said so, nothing scaled.
            _ = try await f.hub.resource(ServiceFailover.self).patch("web", namespace: "shop", type: .merge, patch: ["spec": ["primary": "us-west"]])
            try await f.waitForStatus("a primary holding a copy stalled, naming where the workload is defined", "web") { s in
                s.phase == .blocked && s.conditions.isTrue("Stalled") && s.conditions.condition("Ready")?.reason == "InvalidSpec"
                    && (s.conditions.condition("Ready")?.message.contains("set spec.primary back to us-east") ?? false)
            }
            #expect(try await Self.placement(f) == ["us-east": "8", "us-west": "4", "eu-central": "0"])
        }
    }
}
