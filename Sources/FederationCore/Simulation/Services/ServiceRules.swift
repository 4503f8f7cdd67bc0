import Foundation

/// Plans one pass of a ServiceFailover (the real ``planService(_:)`` unless a bug is injected).
public typealias ServiceRule = @Sendable (ServiceInput) -> ServicePlan

/// Plans one pass of an ActiveActive ServiceFailover (the real ``planActiveActive(_:)`` unless a bug is injected).
public typealias ActiveActiveRule = @Sendable (ActiveActiveInput) -> ServicePlan

/// How the simulated service executor orders a plan's effects: as the plan says, or, to prove the
/// invariants catch a broken executor, otherwise. Either way it stops at the first failed effect and
/// writes the status only after every effect succeeded.
public struct ServiceExecutionRule: Sendable {
    /// The order the effects run in (the plan's own order by default).
    public var order: @Sendable ([ServiceEffect]) -> [ServiceEffect]

    /// Creates a rule; the default is the real executor's.
    public init(order: @escaping @Sendable ([ServiceEffect]) -> [ServiceEffect] = { $0 }) {
        self.order = order
    }

    /// The real executor's rule: the plan's order.
    public static let standard = ServiceExecutionRule()
}
