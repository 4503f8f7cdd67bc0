import Foundation

/// How an executor orders a plan's effects: as the plan says, or, to prove the invariants catch a
/// broken executor, otherwise. Either way it stops at the first failed write.
public struct ExecutionRule: Sendable {
    /// The order the effects run in (the plan's own order by default).
    public var order: @Sendable ([PolicyEffect]) -> [PolicyEffect]

    /// Creates a rule; the default is the real executor's.
    public init(order: @escaping @Sendable ([PolicyEffect]) -> [PolicyEffect] = { $0 }) {
        self.order = order
    }

    /// The real executor's rule: the plan's order.
    public static let standard = ExecutionRule()
}

/// The decisions and the execution the simulated hub runs: the real ones, or deliberately broken
/// ones to prove the invariants catch them.
public struct SimulationRules: Sendable {
    /// Decides promotions.
    public var promotion: PromotionRule
    /// Plans marker writes.
    public var fencing: FencingRule
    /// Runs the plan's effects.
    public var execution: ExecutionRule
    /// Plans each ServiceFailover pass.
    public var service: ServiceRule
    /// Runs a service plan's effects.
    public var serviceExecution: ServiceExecutionRule
    /// Plans each ActiveActive ServiceFailover pass.
    public var activeActive: ActiveActiveRule

    /// Creates rules.
    public init(
        promotion: @escaping PromotionRule = { planPromotion($0) },
        fencing: @escaping FencingRule = { Fencing.plan(policy: $0, primary: $1, epoch: $2, markers: $3) },
        execution: ExecutionRule = .standard,
        service: @escaping ServiceRule = { planService($0) },
        serviceExecution: ServiceExecutionRule = .standard,
        activeActive: @escaping ActiveActiveRule = { planActiveActive($0) }
    ) {
        self.promotion = promotion
        self.fencing = fencing
        self.execution = execution
        self.service = service
        self.serviceExecution = serviceExecution
        self.activeActive = activeActive
    }

    /// The real FederationCore decisions and execution.
    public static let standard = SimulationRules()
}
