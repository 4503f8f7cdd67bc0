import ConcordTesting
import FederationAPI
import FederationControllers
import FederationCore
import Foundation
import KubeClient
import Testing

/// ServiceFailover against real control planes that simulate workloads: warm standbys, global
/// routing, make-before-break failover and failback, planned migration, Blocked, and bad input.
@Suite(.serialized) struct ServiceFailoverControllerTests {
    typealias Setup = FailoverTestSetup
    static let quick = FailoverPolicy(unhealthyForSeconds: 1, minReadyReplicas: 1)

    @Test func keepsWarmStandbysRoutesGloballyFailsOverAndFailsBackMakeBeforeBreak() async throws {
        try await Setup.withFederation(["us-east", "us-west", "eu-central"]) { f in
            let east = f.members["us-east"]!, west = f.members["us-west"]!, eu = f.members["eu-central"]!
            try await Setup.deploy("payment-api", replicas: 3, in: east)
            try await f.create("payment-api", primary: "us-east", failover: [FailoverTarget(datacenter: "us-west", replicas: 2), FailoverTarget(datacenter: "eu-central")], policy: Self.quick)

            // Warm standby: copies at 0 replicas; the global Service everywhere routes to us-east.
            try await waitUntil("standbys and global routes", timeout: .seconds(30)) {
                let w = try await Setup.deployment("payment-api", in: west), e = try await Setup.deployment("payment-api", in: eu)
                guard w?.replicas == 0, w?.copy == true, e?.replicas == 0, e?.copy == true else { return false }
                for member in [east, west, eu] where try await Setup.globalRoutes("payment-api", in: member) != ["us-east": 3] { return false }
                return true
            }
            let copy = try await west.resource(KubeService.self).get("payment-api", namespace: "shop")
            #expect(copy.metadata.annotations?[FederationAnnotation.sourceDatacenter] == "us-east")
            #expect(copy.metadata.labels?[FederationLabel.serviceFailover] == "payment-api")
            #expect(try await west.resource(KubeService.self).get("payment-api-global", namespace: "shop").spec?.selector == nil)
            try await f.waitForStatus("Active and Ready", "payment-api") { s in
                s.phase == .active && s.activeDatacenter == "us-east" && s.placement == "us-east" && s.conditions.isTrue("Ready") && s.primaryReplicas == 3
                    && s.datacenters.map(\.name) == ["us-east", "us-west", "eu-central"] && s.datacenters[0].endpoints?.count == 3
                    && s.datacenters[1].desiredReplicas == 0 && s.datacenters[1].role == .failover
            }

            // The primary loses its replicas: after unhealthyForSeconds the first fitting target takes over.
            try await Setup.scale("payment-api", to: 0, in: east)
            try await waitUntil("traffic in us-west", timeout: .seconds(30)) {
                for member in [east, west, eu] where try await Setup.globalRoutes("payment-api", in: member) != ["us-west": 2] { return false }
                return true
            }
            try await f.waitForStatus("FailedOver with history", "payment-api") { s in
                s.phase == .failedOver && s.activeDatacenter == "us-west" && s.conditions.isTrue("FailedOver") && s.history.count == 1
                    && s.lastTransition?.from == "us-east" && s.lastTransition?.to == "us-west" && s.lastTransition?.reason == "ReplicasUnavailable"
                    && s.lastTransition?.completedAt != nil && s.primaryReplicas == 3
            }
            #expect(try await Setup.deployment("payment-api", in: west)?.replicas == 2)
            #expect(try await Setup.deployment("payment-api", in: eu)?.replicas == 0)

            // Manual failback: nothing moves until asked, then back make-before-break with the user's 3 replicas.
            #expect(try await f.status("payment-api")?.activeDatacenter == "us-west")
            try await f.modify("payment-api") { $0.metadata.annotations = [PromotionAnnotation.failbackRequestedAt: KubeTime(Date()).description] }
            try await waitUntil("traffic back in us-east", timeout: .seconds(30)) {
                for member in [east, west, eu] where try await Setup.globalRoutes("payment-api", in: member) != ["us-east": 3] { return false }
                return try await Setup.deployment("payment-api", in: west)?.replicas == 0
            }
            try await f.waitForStatus("Active again", "payment-api") { s in
                s.phase == .active && s.activeDatacenter == "us-east" && s.history.count == 2 && s.lastTransition?.reason == "Failback"
                    && !s.conditions.isTrue("FailedOver") && s.conditions.isTrue("Ready")
            }
            #expect(try await Setup.deployment("payment-api", in: east)?.replicas == 3)

            // Deletion removes the standbys, their Service copies and the global objects; the user's
            // own workload stays. Service copies go last (after the workload copies), so the wait
            // covers them too.
            try await f.hub.resource(ServiceFailover.self).delete("payment-api", namespace: "shop")
            try await waitUntil("cleaned up", timeout: .seconds(30)) {
                let w = try await Setup.deployment("payment-api", in: west), e = try await Setup.deployment("payment-api", in: eu)
                var routes = 0
                for member in [east, west, eu] { routes += try await Setup.globalRoutes("payment-api", in: member).count }
                let westServices = try await west.resource(KubeService.self).list(namespace: "shop").items
                return w == nil && e == nil && routes == 0 && westServices.isEmpty
            }
            #expect(try await Setup.deployment("payment-api", in: east)?.replicas == 3)
        }
    }

    @Test func plannedMigrationNeverEmptiesTheGlobalEndpoints() async throws {
        try await Setup.withFederation(["us-east", "us-west"]) { f in
            let east = f.members["us-east"]!, west = f.members["us-west"]!
            try await Setup.deploy("web", replicas: 2, in: east)
            try await f.create("web", primary: "us-east", failover: [FailoverTarget(datacenter: "us-west")], policy: Self.quick)
            try await waitUntil("routed to us-east", timeout: .seconds(30)) { try await Setup.globalRoutes("web", in: west) == ["us-east": 2] }
            try await f.modify("web") { sf in
                sf.spec.primary = "us-west"
                sf.spec.failover = [FailoverTarget(datacenter: "us-east")]
            }
            var observed: [[String: Int]] = []
            try await waitUntil("routed to us-west", timeout: .seconds(30)) {
                let routes = try await Setup.globalRoutes("web", in: east)
                observed.append(routes)
                return routes == ["us-west": 2]
            }
            #expect(observed.allSatisfy { !$0.isEmpty && $0.values.allSatisfy { $0 > 0 } }, "global endpoints were empty during the migration: \(observed)")
            try await f.waitForStatus("migrated", "web") { s in
                s.phase == .active && s.activeDatacenter == "us-west" && s.lastTransition?.reason == "PlannedMigration" && s.conditions.isTrue("Ready")
            }
            #expect(try await Setup.deployment("web", in: east)?.replicas == 0)
            #expect(try await Setup.deployment("web", in: west)?.replicas == 2)
        }
    }

    @Test func nothingFitsGivesBlockedAndEvictsNothing() async throws {
        let specs: [String: (inout DatacenterSpec) -> Void] = [
            "us-west": { $0.capacity = DatacenterCapacity(replicas: 1) },
            "eu-central": { $0.unschedulable = true },
        ]
        try await Setup.withFederation(["us-east", "us-west", "eu-central"], specs: specs) { f in
            let east = f.members["us-east"]!, west = f.members["us-west"]!, eu = f.members["eu-central"]!
            try await Setup.deploy("cart", replicas: 2, in: east)
            try await f.create("cart", primary: "us-east", failover: [FailoverTarget(datacenter: "us-west"), FailoverTarget(datacenter: "eu-central")], policy: Self.quick)
            try await waitUntil("standbys", timeout: .seconds(30)) {
                let w = try await Setup.deployment("cart", in: west), e = try await Setup.deployment("cart", in: eu)
                return w?.replicas == 0 && e?.replicas == 0
            }
            // Protected first: the controller has recorded the 2 replicas the primary runs (a failover target needs room for them).
            try await f.waitForStatus("Active with the primary's replicas", "cart") { s in s.phase == .active && s.primaryReplicas == 2 }
            try await Setup.scale("cart", to: 0, in: east)
            try await f.waitForStatus("Blocked", "cart") { s in
                s.phase == .blocked && s.conditions.isTrue("Stalled") && s.conditions.condition("Ready")?.reason == "NoFittingTarget"
                    && (s.conditions.condition("Ready")?.message.contains("eu-central: cordoned") ?? false)
                    && (s.conditions.condition("Ready")?.message.contains("us-west: needs 2 replicas") ?? false)
            }
            #expect(try await Setup.deployment("cart", in: west)?.replicas == 0)
            #expect(try await Setup.deployment("cart", in: eu)?.replicas == 0)
            #expect(try await f.status("cart")?.activeDatacenter == "us-east")
            try await waitUntil("a NoFittingTarget Warning event", timeout: .seconds(30)) {
                let events = try await f.hub.resource(Event.self).list(namespace: "shop").items
                return events.contains { $0.reason == "NoFittingTarget" && $0.type == "Warning" && $0.regarding?.name == "cart" }
            }
        }
    }

    @Test func badInputIsStalledWithAReasonAndOtherServicesAreUnaffected() async throws {
        let specs: [String: (inout DatacenterSpec) -> Void] = ["us-west": { $0.capacity = DatacenterCapacity(replicas: 5) }]
        try await Setup.withFederation(["us-east", "us-west"], specs: specs) { f in
            let east = f.members["us-east"]!
            try await Setup.deploy("good", replicas: 1, in: east)
            try await f.create("unknown-dc", service: "good", primary: "us-east", failover: [FailoverTarget(datacenter: "mars")], policy: Self.quick)
            try await f.create("missing", primary: "us-east", failover: [FailoverTarget(datacenter: "us-west")], policy: Self.quick)
            try await f.create("too-big", service: "good", primary: "us-east", failover: [FailoverTarget(datacenter: "us-west", replicas: 50)], policy: Self.quick)
            try await f.create("good", primary: "us-east", failover: [FailoverTarget(datacenter: "us-west")], policy: Self.quick)
            try await f.waitForStatus("unknown datacenter stalled", "unknown-dc") { s in
                s.conditions.isTrue("Stalled") && s.conditions.condition("Ready")?.reason == "InvalidSpec"
                    && (s.conditions.condition("Ready")?.message.contains("mars") ?? false)
            }
            try await f.waitForStatus("missing service stalled", "missing") { s in
                s.conditions.isTrue("Stalled") && s.conditions.condition("Ready")?.reason == "ServiceNotFound"
                    && (s.conditions.condition("Ready")?.message.contains("Deployment missing and Service missing not found") ?? false)
            }
            try await f.waitForStatus("too big stalled", "too-big") { s in
                s.conditions.isTrue("Stalled") && s.phase == .blocked && (s.conditions.condition("Ready")?.message.contains("needs 50 replicas, capacity 5") ?? false)
            }
            try await f.waitForStatus("the good one Ready", "good") { s in s.conditions.isTrue("Ready") && s.phase == .active }
            // The schema accepts an empty list (ActiveActive has none); ActivePassive needs one, which the controller checks.
            _ = try await f.hub.resource(ServiceFailover.self).create(
                ServiceFailover(metadata: ObjectMeta(name: "empty", namespace: "shop"), spec: ServiceFailoverSpec(service: "good", primary: "us-east", failover: [])),
                namespace: "shop")
            try await f.waitForStatus("empty failover list stalled", "empty") { s in
                s.conditions.isTrue("Stalled") && s.conditions.condition("Ready")?.reason == "InvalidSpec"
                    && (s.conditions.condition("Ready")?.message.contains("spec.failover is empty") ?? false)
            }
            // A total belongs to ActiveActive: an ActivePassive spec with one says so rather than ignoring it.
            _ = try await f.hub.resource(ServiceFailover.self).create(
                ServiceFailover(
                    metadata: ObjectMeta(name: "total", namespace: "shop"),
                    spec: ServiceFailoverSpec(service: "good", primary: "us-east", replicas: 6, failover: [FailoverTarget(datacenter: "us-west")])),
                namespace: "shop")
            try await f.waitForStatus("replicas in ActivePassive stalled", "total") { s in
                s.conditions.isTrue("Stalled") && s.conditions.condition("Ready")?.reason == "InvalidSpec"
                    && (s.conditions.condition("Ready")?.message.contains("spec.replicas is used only with mode ActiveActive") ?? false)
            }
            try await f.waitForStatus("the good one still Ready", "good") { s in s.conditions.isTrue("Ready") && s.phase == .active }
        }
    }
}
