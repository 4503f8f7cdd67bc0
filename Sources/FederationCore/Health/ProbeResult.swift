import FederationAPI
import Foundation

/// The outcome of one health probe of a datacenter: `/readyz` then a cheap GET in Push mode,
/// or the freshness of the agent's Lease in Pull mode.
public enum ProbeResult: Hashable, Sendable {
    /// The member answered.
    /// - Parameters:
    ///   - latency: The measured round trip; nil when the hub cannot measure one (a Pull-mode
    ///     Lease renewal), which keeps the previous smoothed latency.
    ///   - serverVersion: The member's `gitVersion`, when the probe learnt it.
    case success(latency: Duration?, serverVersion: String?)
    /// The member did not answer correctly.
    /// - Parameters:
    ///   - reason: A CamelCase reason, such as ``FederationAPI/Datacenter/Reason/connectionFailed``.
    ///   - message: What went wrong, for people (never containing credentials).
    case failure(reason: String, message: String)

    /// True for `.success`.
    public var succeeded: Bool {
        if case .success = self { return true }
        return false
    }
}

extension Duration {
    /// The duration in milliseconds, with fractions.
    var milliseconds: Double {
        let c = components
        return Double(c.seconds) * 1000 + Double(c.attoseconds) / 1e15
    }
}
