import Foundation

/// A fencing rule with the shape of ``Fencing/plan(policy:primary:epoch:markers:)``.
public typealias FencingRule = @Sendable (_ policy: String, _ primary: String, _ epoch: Int64, _ markers: [MemberMarker]) -> FencingPlan

/// The decisions the simulated hub runs: the real ones, or deliberately broken ones to prove the
/// invariants catch them.
public struct SimulationRules: Sendable {
    /// Decides promotions.
    public var promotion: PromotionRule
    /// Plans marker writes.
    public var fencing: FencingRule

    /// Creates rules.
    public init(
        promotion: @escaping PromotionRule = { planPromotion($0) },
        fencing: @escaping FencingRule = { Fencing.plan(policy: $0, primary: $1, epoch: $2, markers: $3) }
    ) {
        self.promotion = promotion
        self.fencing = fencing
    }

    /// The real FederationCore decisions.
    public static let standard = SimulationRules()
}
