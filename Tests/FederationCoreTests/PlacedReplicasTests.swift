import FederationAPI
import FederationCore
import Foundation
import Testing

/// What other ServiceFailovers have taken of a datacenter's capacity: their shares, and while an
/// ActiveActive move is in flight, what its copies may still ask for until the gaining side is ready.
struct PlacedReplicasTests {
    static func service(_ name: String, shares: [String: Int], from: String? = nil, completed: Bool = false) -> ServiceFailover {
        var sf = ServiceFailover(
            metadata: ObjectMeta(name: name, namespace: "shop", uid: "uid-\(name)"),
            spec: ServiceFailoverSpec(service: name, primary: "us-east", mode: .activeActive, replicas: shares.values.reduce(0, +)))
        var status = ServiceFailoverStatus()
        status.datacenters = shares.sorted { $0.key < $1.key }.map { ServiceDatacenterStatus(name: $0.key, role: .active, desiredReplicas: $0.value) }
        if let from {
            var move = FailoverTransition(from: from, to: "", reason: ServiceFailover.Reason.placementChanged, startedAt: KubeTime(Date(timeIntervalSince1970: 1_800_000_000)))
            if completed { move.completedAt = KubeTime(Date(timeIntervalSince1970: 1_800_000_010)) }
            status.lastTransition = move
        }
        sf.status = status
        return sf
    }

    @Test func aMoveInFlightCountsTheLargerOfItsOldAndNewShare() {
        let me = Self.service("api", shares: [:])
        // web moves out of eu-central (4 → 0): its copy there still runs 4 until us-east and us-west are ready.
        let moving = Self.service("web", shares: ["eu-central": 0, "us-east": 6, "us-west": 6], from: "eu-central=4,us-east=4,us-west=4")
        #expect(ServiceFailover.placedReplicas(in: "eu-central", byOthersThan: me, among: [me, moving]) == 4)
        #expect(ServiceFailover.placedReplicas(in: "us-east", byOthersThan: me, among: [me, moving]) == 6)
        #expect(moving.placementDatacenters == ["eu-central", "us-east", "us-west"])
        // Once the move completes, the room is free again.
        let done = Self.service("web", shares: ["eu-central": 0, "us-east": 6, "us-west": 6], from: "eu-central=4,us-east=4,us-west=4", completed: true)
        #expect(ServiceFailover.placedReplicas(in: "eu-central", byOthersThan: me, among: [me, done]) == 0)
        // A service never counts itself; an ActivePassive transition's `from` names a datacenter, not a division.
        #expect(ServiceFailover.placedReplicas(in: "eu-central", byOthersThan: moving, among: [moving]) == 0)
        #expect(Self.service("x", shares: [:], from: "us-east").inFlightShare(of: "us-east") == 0)
    }
}
