import FederationAPI
import FederationCore
import Foundation
import KubeClient

/// Where a requested promotion stands, judged from the FederationPolicy as the controller wrote it.
enum PromotionProgress: Equatable {
    /// NAME is primary at `epoch` and every reachable member holds it.
    case done(epoch: Int64)
    /// Not yet.
    case pending
    /// The controller wrote, after the request, that it cannot promote NAME: reason and message.
    case blocked(reason: String, message: String)

    /// Reasons that mean the request cannot complete until a person changes something.
    static let blockingReasons: Set<String> = [
        FederationPolicy.Reason.primaryUnschedulable, FederationPolicy.Reason.primaryNotReady,
        FederationPolicy.Reason.primaryNotMember, FederationPolicy.Reason.quorumLost,
        FederationPolicy.Reason.conflictingPrimaries,
    ]

    /// Judges `policy` for the promotion of `name` above `startEpoch`. `requestVersion` is the
    /// policy's resourceVersion right after the request: conditions count as an answer only once
    /// the controller wrote the policy again after it.
    static func evaluate(_ policy: FederationPolicy, promoting name: String, above startEpoch: Int64, requestVersion: String?) -> PromotionProgress {
        let status = policy.status
        let conditions = status?.conditions ?? []
        let promoting = conditions.first { $0.type == FederationPolicy.ConditionType.promoting }
        if status?.primary == name, let epoch = status?.epoch, epoch > startEpoch, promoting?.status == .false {
            return .done(epoch: epoch)
        }
        guard policy.metadata.resourceVersion != requestVersion,
            let ready = conditions.first(where: { $0.type == FederationPolicy.ConditionType.ready }),
            ready.status == .false, blockingReasons.contains(ready.reason),
            (ready.observedGeneration ?? 0) >= (policy.metadata.generation ?? 0)
        else { return .pending }
        return .blocked(reason: ready.reason, message: ready.message)
    }
}

/// Runs `concord datacenter promote`: decide, write, wait, print.
struct PromoteFlow {
    let hub: KubeClient
    let name: String
    let policy: String?
    let timeout: Duration
    let wait: Bool
    var clock = ContinuousClock()

    func run() async throws {
        let policies = hub.resource(FederationPolicy.self)
        let datacenters = try await hub.resource(Datacenter.self).list().items
        let request = try PromotionRequest.decide(promote: name, policy: policy, datacenters: datacenters, policies: try await policies.list().items)
        let start = clock.now
        var written: FederationPolicy?
        if let patch = request.patch(promoting: name, now: Date()) {
            written = try await policies.patch(request.policy, type: .merge, patch: patch)
        }
        switch request {
        case .alreadyPrimary(let policy, let epoch, let aligned):
            print("datacenter/\(name) already is the primary of federationpolicy/\(policy) at epoch \(epoch)" + (aligned ? "; spec.primary set to \(name)" : ""))
            return
        case .setPrimary(let policy, let from, _):
            print("federationpolicy/\(policy) spec.primary set to \(name)" + (from.map { " (primary in force: \($0))" } ?? ""))
        case .requestFailback(let policy, let from, _, _):
            print("federationpolicy/\(policy): failback to \(name) requested" + (from.map { " (primary in force: \($0))" } ?? ""))
        }
        guard wait else { return }
        let startEpoch: Int64 = switch request {
        case .setPrimary(_, _, let epoch), .requestFailback(_, _, let epoch, _): epoch
        case .alreadyPrimary(_, let epoch, _): epoch
        }
        let deadline = start.advanced(by: timeout)
        var last = written
        while clock.now < deadline {
            let current = try await policies.get(request.policy)
            last = current
            switch PromotionProgress.evaluate(current, promoting: name, above: startEpoch, requestVersion: written?.metadata.resourceVersion) {
            case .done(let epoch):
                let took = clock.now - start
                let from = current.status?.lastPromotion?.from.map { " (was \($0) at epoch \(startEpoch))" } ?? ""
                print("datacenter/\(name) promoted: primary of federationpolicy/\(request.policy) at epoch \(epoch)\(from) in \(Self.seconds(took))")
                return
            case .blocked(let reason, let message):
                throw CLIError("the controller cannot promote \(name) (\(reason)): \(message)")
            case .pending:
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        let ready = last?.status?.conditions.first { $0.type == FederationPolicy.ConditionType.ready }
        let why = ready.map { " Ready is \($0.status.rawValue) (\($0.reason)): \($0.message)" } ?? ""
        throw CLIError("timed out after \(Self.seconds(timeout)) waiting for \(name) to become primary; is `concord controller` running?\(why)")
    }

    static func seconds(_ d: Duration) -> String {
        let (s, atto) = d.components
        return String(format: "%.1fs", Double(s) + Double(atto) / 1e18)
    }
}
