import FederationAPI
import FederationCore
import Foundation
import Testing

/// Which markers are written after a promotion, in which order, with which preconditions.
struct FencingPlanTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var primary = "b"
        var epoch: Int64 = 5
        let markers: [MemberMarker]
        /// (datacenter, precondition, role) in order.
        let writes: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "after a promotion: new primary first, then the former primary, then the rest by name",
             markers: [Promo.marker("d", "a", 4), Promo.marker("a", "a", 4, rv: "11"), Promo.marker("c", "a", 4), Promo.marker("b", "a", 4, rv: "12")],
             writes: ["b rv=12 Primary", "a rv=11 Secondary", "c rv=7 Secondary", "d rv=7 Secondary"]),
        Case(name: "all markers current → nothing to write", markers: [Promo.marker("a", "b", 5), Promo.marker("b", "b", 5)], writes: []),
        Case(name: "missing marker → create with must-not-exist", markers: [Promo.marker("b", "b", 5), MemberMarker(datacenter: "c", marker: nil, resourceVersion: nil)],
             writes: ["c create Secondary"]),
        Case(name: "unreadable marker ConfigMap → update it at its resourceVersion", markers: [MemberMarker(datacenter: "c", marker: nil, resourceVersion: "40")],
             writes: ["c rv=40 Secondary"]),
        Case(name: "placeholder marker → update", markers: [Promo.placeholder("c", rv: "3")], writes: ["c rv=3 Secondary"]),
        Case(name: "marker ahead of the policy is never lowered", markers: [Promo.marker("a", "a", 6), Promo.marker("c", "a", 4)], writes: ["c rv=7 Secondary"]),
        Case(name: "marker at the epoch naming another primary is left for a person (split brain)",
             markers: [Promo.marker("a", "a", 5), Promo.marker("b", "b", 5)], writes: []),
        Case(name: "marker of another policy is never overwritten", markers: [Promo.marker("a", "a", 2, policy: "other")], writes: []),
        Case(name: "two former primaries → both before the secondaries, by name",
             markers: [Promo.marker("c", "b", 3), Promo.marker("e", "e", 4), Promo.marker("a", "a", 3)],
             writes: ["a rv=7 Secondary", "e rv=7 Secondary", "c rv=7 Secondary"]),
        Case(name: "epoch 0 (no primary yet) → nothing to write", epoch: 0, markers: [Promo.placeholder("a")], writes: []),
    ]

    @Test(arguments: cases)
    func writesInFencingOrder(_ c: Case) {
        let plan = Fencing.plan(policy: "global", primary: c.primary, epoch: c.epoch, markers: c.markers)
        let described = plan.writes.map { w -> String in
            let pre = switch w.precondition { case .mustNotExist: "create"; case .resourceVersion(let v): "rv=\(v)" }
            return "\(w.datacenter) \(pre) \(w.role.rawValue)"
        }
        #expect(described == c.writes)
        #expect(plan.writes.allSatisfy { $0.marker == FencingMarker(policy: "global", primary: c.primary, epoch: c.epoch) })
    }

    @Test func writeCarriesTheMarkerConfigMapWithTheExpectedResourceVersion() throws {
        let plan = Fencing.plan(policy: "global", primary: "b", epoch: 5, markers: [Promo.marker("a", "a", 4, rv: "99")])
        let write = try #require(plan.writes.first)
        let configMap = write.configMap
        #expect(configMap.metadata.name == FencingMarker.name)
        #expect(configMap.metadata.namespace == FencingMarker.namespace)
        #expect(configMap.metadata.resourceVersion == "99")
        #expect(configMap.data == ["policy": "global", "primary": "b", "epoch": "5"])
        #expect(FencingMarker(configMap: configMap) == write.marker)
    }

    @Test func createWriteHasNoResourceVersion() throws {
        let plan = Fencing.plan(policy: "global", primary: "b", epoch: 5, markers: [MemberMarker(datacenter: "a", configMap: nil)])
        #expect(try #require(plan.writes.first).configMap.metadata.resourceVersion == nil)
    }

    @Test func observationReadsMarkerAndResourceVersionFromTheConfigMap() {
        var configMap = FencingMarker(policy: "global", primary: "a", epoch: 3).configMap
        configMap.metadata.resourceVersion = "17"
        let observed = MemberMarker(datacenter: "a", configMap: configMap)
        #expect(observed.epoch == 3)
        #expect(observed.claimsPrimary)
        #expect(observed.resourceVersion == "17")
        #expect(observed.isStale(comparedTo: 4))
        #expect(!observed.isStale(comparedTo: 3))
    }

    struct DemoteCase: Sendable, CustomTestStringConvertible {
        let name: String
        let marker: MemberMarker
        let demote: Bool
        var testDescription: String { name }
    }

    @Test(arguments: [
        DemoteCase(name: "former primary at an older epoch → demote", marker: Promo.marker("a", "a", 4), demote: true),
        DemoteCase(name: "secondary at an older epoch → demote", marker: Promo.marker("c", "a", 4), demote: true),
        DemoteCase(name: "new member with the placeholder → demote", marker: Promo.placeholder("c"), demote: true),
        DemoteCase(name: "reachable member without a marker → demote", marker: MemberMarker(datacenter: "c", marker: nil, resourceVersion: nil), demote: true),
        DemoteCase(name: "member at the epoch → keep", marker: Promo.marker("c", "b", 5), demote: false),
        DemoteCase(name: "member ahead of the epoch → keep (split brain)", marker: Promo.marker("c", "c", 6), demote: false),
        DemoteCase(name: "the primary in force with a stale marker → keep: it is promoted, not demoted", marker: Promo.marker("b", "a", 4), demote: false),
        DemoteCase(name: "another policy's marker → keep (split brain)", marker: Promo.marker("c", "c", 1, policy: "other"), demote: false),
    ])
    func returningMemberDemotion(_ c: DemoteCase) {
        #expect(Fencing.mustDemote(c.marker, policy: "global", primary: "b", epoch: 5) == c.demote)
    }

    @Test func placeholderMarkerClaimsNothing() {
        let placeholder = Promo.placeholder("a")
        #expect(placeholder.epoch == 0)
        #expect(placeholder.primary == nil)
        #expect(!placeholder.claimsPrimary)
        #expect(!placeholder.belongsToAnotherPolicy(than: "global"))
    }
}
