import FederationAPI
import FederationCore
import Foundation

/// What `concord datacenter promote NAME` must write, decided from what the hub holds. Pure.
enum PromotionRequest: Equatable {
    /// NAME already is the primary in force; `alignSpec` when spec.primary still names another.
    case alreadyPrimary(policy: String, epoch: Int64, alignSpec: Bool)
    /// Set `spec.primary` to NAME: a planned handover from `from` at `epoch`.
    case setPrimary(policy: String, from: String?, epoch: Int64)
    /// spec.primary already is NAME but the primary failed away from it: request the failback
    /// through ``PromotionAnnotation/failbackRequestedAt``.
    /// `lastPromotion` is when the primary last changed: the request must be later to count.
    case requestFailback(policy: String, from: String?, epoch: Int64, lastPromotion: Date?)

    /// The FederationPolicy the request writes to.
    var policy: String {
        switch self {
        case .alreadyPrimary(let p, _, _), .setPrimary(let p, _, _), .requestFailback(let p, _, _, _): p
        }
    }

    /// Decides the request, or throws a one-line error saying what to fix.
    ///
    /// - Parameters:
    ///   - name: The Datacenter to promote.
    ///   - policyName: `--policy`, when given.
    ///   - datacenters: Every Datacenter in the hub.
    ///   - policies: Every FederationPolicy in the hub.
    static func decide(
        promote name: String, policy policyName: String?, datacenters: [Datacenter], policies: [FederationPolicy]
    ) throws -> PromotionRequest {
        guard let datacenter = datacenters.first(where: { $0.metadata.name == name }) else {
            throw CLIError("datacenter \"\(name)\" not found: `kubectl get datacenters` lists them")
        }
        let policy = try choosePolicy(for: name, named: policyName, datacenters: datacenters, policies: policies)
        let policyName = policy.metadata.name ?? ""
        let epoch = policy.status?.epoch ?? 0
        let inForce = epoch > 0 ? policy.status?.primary : nil
        if inForce == name {
            return .alreadyPrimary(policy: policyName, epoch: epoch, alignSpec: policy.spec.primary != name)
        }
        if datacenter.spec.unschedulable == true {
            throw CLIError("datacenter \(name) is cordoned: run `concord datacenter uncordon \(name)` first")
        }
        let phase = datacenter.status?.phase ?? .pending
        guard phase == .ready else {
            throw CLIError("datacenter \(name) is \(phase.rawValue): only a Ready datacenter can become primary (see `kubectl describe dc \(name)`)")
        }
        if policy.spec.primary == name {
            let last = (policy.status?.lastPromotion ?? policy.status?.history.first)?.time.date
            return .requestFailback(policy: policyName, from: inForce, epoch: epoch, lastPromotion: last)
        }
        return .setPrimary(policy: policyName, from: inForce, epoch: epoch)
    }

    /// The one policy NAME is a member of (or the one `--policy` names, if NAME is its member).
    static func choosePolicy(
        for name: String, named policyName: String?, datacenters: [Datacenter], policies: [FederationPolicy]
    ) throws -> FederationPolicy {
        let including = policies.filter { policy in
            MemberView.members(of: policy, among: datacenters).contains { $0.name == name }
        }
        if let policyName {
            guard let chosen = policies.first(where: { $0.metadata.name == policyName }) else {
                throw CLIError("federationpolicy \"\(policyName)\" not found: `kubectl get federationpolicies` lists them")
            }
            guard including.contains(where: { $0.metadata.name == policyName }) else {
                throw CLIError("datacenter \(name) is not a member of federationpolicy \(policyName): its datacenterSelector does not select it")
            }
            return chosen
        }
        switch including.count {
        case 0:
            throw CLIError("datacenter \(name) is not a member of any FederationPolicy: create one whose datacenterSelector selects it")
        case 1:
            return including[0]
        default:
            let names = including.compactMap(\.metadata.name).sorted().joined(separator: ", ")
            throw CLIError("datacenter \(name) is a member of several FederationPolicies (\(names)): choose one with --policy")
        }
    }

    /// The merge patch to send to the policy to promote `name`, or nil when nothing needs writing.
    func patch(promoting name: String, now: Date) -> JSONValue? {
        switch self {
        case .alreadyPrimary(_, _, let align):
            return align ? ["spec": ["primary": .string(name)]] : nil
        case .setPrimary:
            return ["spec": ["primary": .string(name)]]
        case .requestFailback(_, _, _, let last):
            // The controller compares at whole seconds: stay strictly after the last promotion.
            let at = max(now, (last ?? .distantPast).addingTimeInterval(1))
            return ["metadata": ["annotations": [PromotionAnnotation.failbackRequestedAt: .string(KubeTime(at).description)]]]
        }
    }
}
