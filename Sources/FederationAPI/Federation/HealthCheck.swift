import Foundation

/// How a Datacenter is probed and how many probes flip its phase.
///
/// Every field is optional; the API server fills the defaults from the CRD schema, and
/// ``effective`` gives the same values for an object decoded without them.
public struct HealthCheckSpec: Codable, Hashable, Sendable {
    /// Seconds between probes (default 1, range 1–300).
    public var periodSeconds: Int?
    /// Seconds a probe may take before it counts as failed (default 1, range 1–60).
    public var timeoutSeconds: Int?
    /// Consecutive failed probes that make the datacenter Unreachable (default 3, range 1–100).
    /// A Ready datacenter always passes through Suspect first, so one lost probe never makes it Unreachable.
    public var failureThreshold: Int?
    /// Consecutive successful probes that make the datacenter Ready again (default 2, range 1–100).
    public var successThreshold: Int?

    /// Default `periodSeconds`.
    public static let defaultPeriodSeconds = 1
    /// Default `timeoutSeconds`.
    public static let defaultTimeoutSeconds = 1
    /// Default `failureThreshold`.
    public static let defaultFailureThreshold = 3
    /// Default `successThreshold`.
    public static let defaultSuccessThreshold = 2
    /// Allowed `periodSeconds`.
    public static let periodSecondsRange = 1...300
    /// Allowed `timeoutSeconds`.
    public static let timeoutSecondsRange = 1...60
    /// Allowed `failureThreshold` and `successThreshold`.
    public static let thresholdRange = 1...100

    /// Creates health-check settings; omitted fields take their defaults.
    public init(periodSeconds: Int? = nil, timeoutSeconds: Int? = nil, failureThreshold: Int? = nil, successThreshold: Int? = nil) {
        self.periodSeconds = periodSeconds
        self.timeoutSeconds = timeoutSeconds
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
    }

    /// The settings with defaults applied and every value limited to its allowed range
    /// (so an object that escaped validation cannot make the prober spin).
    public var effective: EffectiveHealthCheck {
        EffectiveHealthCheck(
            periodSeconds: (periodSeconds ?? Self.defaultPeriodSeconds).clamped(to: Self.periodSecondsRange),
            timeoutSeconds: (timeoutSeconds ?? Self.defaultTimeoutSeconds).clamped(to: Self.timeoutSecondsRange),
            failureThreshold: (failureThreshold ?? Self.defaultFailureThreshold).clamped(to: Self.thresholdRange),
            successThreshold: (successThreshold ?? Self.defaultSuccessThreshold).clamped(to: Self.thresholdRange)
        )
    }
}

/// Health-check settings with every default applied: what the prober and the health decision use.
public struct EffectiveHealthCheck: Hashable, Sendable {
    /// Seconds between probes.
    public var periodSeconds: Int
    /// Seconds a probe may take.
    public var timeoutSeconds: Int
    /// Consecutive failures that make a datacenter Unreachable.
    public var failureThreshold: Int
    /// Consecutive successes that make a datacenter Ready.
    public var successThreshold: Int

    /// The defaults: 1 s period, 1 s timeout, 3 failures, 2 successes.
    public static let defaults = HealthCheckSpec().effective

    /// Creates settings.
    public init(periodSeconds: Int, timeoutSeconds: Int, failureThreshold: Int, successThreshold: Int) {
        self.periodSeconds = periodSeconds
        self.timeoutSeconds = timeoutSeconds
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
    }

    /// The probe period as a Duration.
    public var period: Duration { .seconds(periodSeconds) }
    /// The probe timeout as a Duration.
    public var timeout: Duration { .seconds(timeoutSeconds) }
}
