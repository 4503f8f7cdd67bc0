import FederationAPI
import Foundation
import KubernetesAPI
import Testing

@testable import ConcordCLI

/// `concord service get`: which datacenters each selection answers with, and how they print.
struct ServiceViewTests {
    static let failedOver = ServiceFailover(
        metadata: ObjectMeta(name: "payment-api", namespace: "shop"),
        spec: ServiceFailoverSpec(service: "payment-api", primary: "us-east", failover: [FailoverTarget(datacenter: "us-west"), FailoverTarget(datacenter: "eu-central")]),
        status: ServiceFailoverStatus(
            activeDatacenter: "us-west", phase: .failedOver,
            datacenters: [
                ServiceDatacenterStatus(name: "us-east", role: .primary, reachable: false, desiredReplicas: 3, readyReplicas: 3, endpoints: ["10.244.1.1:8080"]),
                ServiceDatacenterStatus(name: "us-west", role: .failover, reachable: true, desiredReplicas: 2, readyReplicas: 2, endpoints: ["10.244.2.1:8080", "10.244.2.2:8080"]),
                ServiceDatacenterStatus(name: "eu-central", role: .failover, reachable: true, desiredReplicas: 0, readyReplicas: 0, endpoints: []),
            ]))

    @Test func eachSelectionAnswersWithItsDatacenters() throws {
        let sf = Self.failedOver
        #expect(try ServiceView.answer(.active, for: sf).datacenters.map(\.name) == ["us-west"])
        #expect(try ServiceView.answer(.all, for: sf).datacenters.map(\.name) == ["us-east", "us-west", "eu-central"])
        #expect(try ServiceView.answer(.datacenter("eu-central"), for: sf).datacenters.map(\.name) == ["eu-central"])
        // The unreachable primary and the empty standby are skipped; the first serving one answers.
        #expect(try ServiceView.answer(.failover(["us-east", "eu-central", "us-west"]), for: sf).datacenters.map(\.name) == ["us-west"])
        #expect(throws: CLIError.self) { try ServiceView.answer(.failover(["us-east", "eu-central"]), for: sf) }
        #expect(throws: CLIError.self) { try ServiceView.answer(.datacenter("mars"), for: sf) }
        var fresh = sf
        fresh.status = nil
        #expect(throws: CLIError.self) { try ServiceView.answer(.all, for: fresh) }
    }

    @Test func printsATableAndJSON() throws {
        let view = try ServiceView.answer(.all, for: Self.failedOver)
        let lines = view.table.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("DATACENTER") && lines[0].hasSuffix("ENDPOINTS"))
        #expect(lines[2].split(separator: " ", omittingEmptySubsequences: true) == ["us-west", "Failover", "*", "yes", "2", "2", "10.244.2.1:8080,10.244.2.2:8080"])
        #expect(lines[3].hasSuffix("<none>"))
        let json = try CompactJSON.decode(Data(view.json().utf8))
        #expect(json["service"] == "shop/payment-api")
        #expect(json["activeDatacenter"] == "us-west")
        #expect(json["datacenters"]?.arrayValue?.count == 3)
        #expect(json["datacenters"]?.arrayValue?[1]["endpoints"]?.arrayValue?.count == 2)
    }

    @Test func anActiveActiveDatacenterViewSaysWhereItsClientsGo() throws {
        var sf = Self.failedOver
        sf.spec = ServiceFailoverSpec(service: "web", primary: "us-east", mode: .activeActive, replicas: 6)
        let local = try ServiceView.answer(.datacenter("us-west"), for: sf)
        #expect(local.routing == "clients in us-west use its own 2 ready endpoints (at least minLocalReadyReplicas 1)")
        #expect(local.table.hasSuffix(local.routing ?? "-"))
        let fallback = try ServiceView.answer(.datacenter("eu-central"), for: sf)
        #expect(fallback.routing == "clients in eu-central fall back to us-west (0 ready locally, fewer than minLocalReadyReplicas 1)")
        // Some ready locally but fewer than the minimum: the others' endpoints are used as well, not instead.
        var partly = sf
        partly.spec.policy = FailoverPolicy(minLocalReadyReplicas: 3)
        partly.status?.datacenters[0].reachable = true
        #expect(try ServiceView.answer(.datacenter("us-west"), for: partly).routing
            == "clients in us-west use us-east as well as its own 2 ready endpoints (fewer than minLocalReadyReplicas 3)")
        #expect(try ServiceView.answer(.all, for: sf).routing == nil)
        // No selection: every datacenter the division places replicas in (there is no single active one).
        #expect(try ServiceView.answer(.active, for: sf).datacenters.map(\.name) == sf.status?.datacenters.filter { ($0.desiredReplicas ?? 0) > 0 }.map(\.name))
        #expect(try !ServiceView.answer(.active, for: sf).datacenters.isEmpty)
        // A member the service is not placed in: its clients use the placed ones; a name that is no member is an error.
        let elsewhere = try ServiceView.answer(.datacenter("ap-south"), for: sf, members: ["us-east", "us-west", "eu-central", "ap-south"])
        #expect(elsewhere.datacenters.isEmpty)
        #expect(elsewhere.table == "ap-south is not in web's placement; clients in ap-south use us-west through web-global")
        // A failover order naming no member of the federation says so, instead of "has no ready endpoints".
        let unknown = #expect(throws: CLIError.self) { try ServiceView.answer(.failover(["mars"]), for: sf, members: ["us-east", "ap-south"]) }
        #expect(unknown?.description == "mars is not a Datacenter of the federation; its Datacenters are ap-south, us-east")
        #expect(throws: CLIError.self) { try ServiceView.answer(.datacenter("mars"), for: sf, members: ["us-east", "ap-south"]) }
        // The error names the federation's Datacenters, any of which answers, not only the placed ones.
        do {
            _ = try ServiceView.answer(.datacenter("mars"), for: sf, members: ["us-east", "ap-south"])
        } catch let error as CLIError {
            #expect("\(error)".contains("mars is not a Datacenter of the federation; its Datacenters are ap-south, us-east"))
        }
        sf.spec.mode = .activePassive
        #expect(throws: CLIError.self) { try ServiceView.answer(.datacenter("ap-south"), for: sf, members: ["ap-south"]) }
    }

    @Test func selectionsAreExclusive() {
        #expect(throws: (any Error).self) { try ConcordCommand.parseAsRoot(["service", "get", "x", "--datacenter", "a", "--all-datacenters"]) }
        #expect(throws: (any Error).self) { try ConcordCommand.parseAsRoot(["service", "get", "x", "--failover", ","]) }
        #expect(throws: Never.self) { try ConcordCommand.parseAsRoot(["service", "get", "x", "-n", "shop", "--failover", "us-west,eu-central", "-o", "json"]) }
    }
}
