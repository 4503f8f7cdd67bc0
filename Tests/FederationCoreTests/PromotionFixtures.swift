import FederationAPI
import FederationCore
import Foundation

/// Policies, members and markers for the promotion tables. Times are seconds after `start`.
enum Promo {
    typealias R = FederationPolicy.Reason
    static let start = Date(timeIntervalSince1970: 1_780_000_000)
    static func at(_ second: Int) -> Date { start.addingTimeInterval(TimeInterval(second)) }

    static func policy(
        spec primary: String = "a", status statusPrimary: String? = "a", epoch: Int64? = 1,
        mode: PromotionMode? = nil, unreachableFor: Int? = 30, candidates: [String]? = nil, requireQuorum: Bool? = nil,
        failback: FailbackMode? = nil, stabilization: Int? = nil, history: [PromotionRecord] = [], annotations: [String: String]? = nil
    ) -> FederationPolicy {
        FederationPolicy(
            metadata: ObjectMeta(name: "global", generation: 3, annotations: annotations),
            spec: FederationPolicySpec(
                primary: primary,
                promotion: PromotionSpec(mode: mode, unreachableForSeconds: unreachableFor, candidates: candidates, requireQuorum: requireQuorum),
                failback: failback, stabilizationSeconds: stabilization),
            status: epoch.map { FederationPolicyStatus(primary: statusPrimary, epoch: $0, lastPromotion: history.first, history: history) }
        )
    }

    /// A PrimaryUnreachable promotion record at `second`.
    static func failedOver(from: String, to: String, epoch: Int64, at second: Int = 10) -> PromotionRecord {
        PromotionRecord(from: from, to: to, epoch: epoch, reason: R.primaryUnreachable, time: KubeTime(at(second)))
    }

    static func ready(_ name: String, priority: Int = 100, latency: Int? = 10, since: Int = 0, cordoned: Bool = false, reachableSince: Int? = nil) -> MemberView {
        MemberView(name: name, phase: .ready, reachable: true, priority: priority, latencyMilliseconds: latency,
                   unschedulable: cordoned, readySince: at(since), reachableSince: reachableSince.map(at))
    }
    static func unreachable(_ name: String, since: Int = 0, priority: Int = 100) -> MemberView {
        MemberView(name: name, phase: .unreachable, reachable: false, priority: priority, latencyMilliseconds: 10, unreachableSince: at(since))
    }
    static func suspect(_ name: String, priority: Int = 100) -> MemberView {
        MemberView(name: name, phase: .suspect, reachable: false, priority: priority, latencyMilliseconds: 10)
    }
    static func pending(_ name: String, priority: Int = 100) -> MemberView {
        MemberView(name: name, phase: .pending, reachable: true, priority: priority)
    }

    static func marker(_ datacenter: String, _ primary: String, _ epoch: Int64, policy: String = "global", rv: String = "7") -> MemberMarker {
        MemberMarker(datacenter: datacenter, marker: FencingMarker(policy: policy, primary: primary, epoch: epoch), resourceVersion: rv)
    }
    /// The placeholder registration installs.
    static func placeholder(_ datacenter: String, rv: String = "3") -> MemberMarker {
        MemberMarker(datacenter: datacenter, marker: FencingMarker(policy: "", primary: "", epoch: 0), resourceVersion: rv)
    }

    /// Current markers (the status primary at the status epoch) for every reachable member.
    static func currentMarkers(_ policy: FederationPolicy, _ members: [MemberView]) -> [MemberMarker] {
        guard let epoch = policy.status?.epoch, let primary = policy.status?.primary else {
            return members.filter(\.reachable).map { placeholder($0.name) }
        }
        return members.filter(\.reachable).map { marker($0.name, primary, epoch) }
    }
}
