import ConcordTesting
import ControllerRuntime
import FederationAPI
import FederationControllers
import Foundation
import KubeClient
import Logging
import Testing

/// Many Datacenters whose credentials are missing or unusable next to one good member: each bad one
/// gets a status saying why, and the good one is registered, Ready and kept probed meanwhile.
@Suite(.serialized) struct BadCredentialsAtScaleTests {
    /// The three ways credentials go wrong, and the words their status must use.
    enum Flaw: CaseIterable {
        case missingSecret, missingKey, garbageKubeconfig
        var secret: String {
            switch self {
            case .missingSecret: return "absent-kubeconfig"
            case .missingKey: return "keyless-kubeconfig"
            case .garbageKubeconfig: return "garbage-kubeconfig"
            }
        }
        var expected: String {
            switch self {
            case .missingSecret: return "not found"
            case .missingKey: return "has no key"
            case .garbageKubeconfig: return "is unusable"
            }
        }
    }

    @Test func fiveHundredBadDatacentersEachGetTheirReasonAndTheGoodOneStaysReady() async throws {
        let count = 500
        try await withTestControlPlane { hubPlane in
            try await withTestControlPlane { memberPlane in
                let hub = try KubeClient(kubeconfigPath: hubPlane.kubeconfigPath)
                try await DatacenterControllerTests.installCRDs(hub)
                let secrets = hub.resource(Secret.self)
                _ = try await secrets.create(Secret(metadata: ObjectMeta(name: Flaw.missingKey.secret, namespace: "concord-system"), data: ["other": Data("x".utf8).base64EncodedString()]))
                _ = try await secrets.create(Secret(metadata: ObjectMeta(name: Flaw.garbageKubeconfig.secret, namespace: "concord-system"), data: ["kubeconfig": Data("clusters: [[{not: a kubeconfig".utf8).base64EncodedString()]))
                let dcs = hub.resource(Datacenter.self)
                let flaws = Flaw.allCases
                for i in 0..<count {
                    let flaw = flaws[i % flaws.count]
                    _ = try await dcs.create(Datacenter(metadata: ObjectMeta(name: "bad-\(i)"), spec: DatacenterSpec(region: "r", credentialsRef: SecretKeyReference(namespace: "concord-system", name: flaw.secret))))
                }
                try await DatacenterControllerTests.withControllers(hub) {
                    try await DatacenterControllerTests.register(hub, name: "good", kubeconfig: String(contentsOfFile: memberPlane.kubeconfigPath, encoding: .utf8))
                    try await DatacenterControllerTests.waitFor("good Ready while \(count) bad Datacenters exist", timeout: .seconds(60)) {
                        try await dcs.get("good").status?.phase == .ready
                    }
                    // Every bad one gets its reason (polled against a deadline; the stragglers are named on failure).
                    var missing: [String] = []
                    _ = try await eventually(timeout: .seconds(300), every: .milliseconds(500)) {
                        let all = try await dcs.listAll()
                        #expect(all.undecodable.isEmpty)
                        missing = all.items.compactMap { dc -> String? in
                            let name = dc.metadata.name ?? ""
                            guard name.hasPrefix("bad-"), let i = Int(name.dropFirst(4)) else { return nil }
                            let registered = dc.status?.conditions.condition(Datacenter.ConditionType.registered)
                            let ok = registered?.status == .false && registered?.reason == Datacenter.Reason.credentialsUnavailable
                                && registered?.message.contains(flaws[i % flaws.count].expected) == true
                            return ok ? nil : "\(name): \(registered.map { "\($0.reason) \($0.message)" } ?? "no Registered condition")"
                        }
                        if !missing.isEmpty { print("bad Datacenters still without their reason: \(missing.count)") }
                        return missing.isEmpty
                    }
                    #expect(missing.count == 0, "bad Datacenters without their reason, e.g. \(missing.prefix(5))")
                    // The good member keeps being probed: its probe time moves on while the bad ones stay.
                    let first = try await dcs.get("good").status?.lastProbeTime
                    try await DatacenterControllerTests.waitFor("good probed again", timeout: .seconds(30)) {
                        let now = try await dcs.get("good").status
                        return now?.lastProbeTime != first && now?.phase == .ready
                    }
                }
                try await hub.shutdown()
            }
        }
    }
}
