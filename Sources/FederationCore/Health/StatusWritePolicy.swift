import FederationAPI
import Foundation

/// Why a freshly computed Datacenter status must be written (the first reason found, in order).
public enum StatusWriteReason: String, Hashable, Sendable, CaseIterable {
    /// Nothing was written yet.
    case noStatus = "NoStatus"
    /// The controller observed a new `metadata.generation`.
    case observedGeneration = "ObservedGeneration"
    /// The phase changed.
    case phase = "Phase"
    /// The role changed.
    case role = "Role"
    /// A condition's status, reason, message or observedGeneration changed (or one appeared).
    case conditions = "Conditions"
    /// The member reported another server version.
    case serverVersion = "ServerVersion"
    /// A run of failures began or ended.
    case unhealthySince = "UnhealthySince"
    /// The failure counter moved below or onto `failureThreshold`.
    case failureCount = "FailureCount"
    /// The success counter moved below or onto `successThreshold`.
    case successCount = "SuccessCount"
    /// The smoothed latency left its band around the written value.
    case latency = "Latency"
    /// The written `lastProbeTime` is ``DatacenterHealth/statusRefreshSeconds`` old.
    case refresh = "Refresh"
}

extension DatacenterHealth {
    /// The written `lastProbeTime` is refreshed at least this often (seconds).
    public static let statusRefreshSeconds: TimeInterval = 10
    /// Latency changes smaller than this many milliseconds are not written…
    public static let latencyBandMilliseconds = 5
    /// …nor changes smaller than this fraction of the written latency.
    public static let latencyBandFraction = 0.2

    /// Why `computed` must be written over `written`, or nil when the write can be skipped.
    ///
    /// Status is written on change, not on every probe: when anything a reader or a decision
    /// depends on changed (generation, phase, role, conditions, server version, `unhealthySince`),
    /// while the failure or success counters climb towards their thresholds (counts beyond a
    /// threshold change no decision and wait for the refresh), when the smoothed latency moves by
    /// at least max(5 ms, 20 % of the written value), or when the written `lastProbeTime` is 10 s old.
    ///
    /// - Parameters:
    ///   - written: The status as last written to (or read from) the API server.
    ///   - computed: The status ``evaluate(previous:probe:healthCheck:generation:now:)`` returned.
    ///   - healthCheck: `spec.effectiveHealthCheck`.
    ///   - now: The current time.
    public static func writeReason(
        written: DatacenterStatus?, computed: DatacenterStatus, healthCheck: EffectiveHealthCheck, now: Date
    ) -> StatusWriteReason? {
        guard let written else { return .noStatus }
        if written.observedGeneration != computed.observedGeneration { return .observedGeneration }
        if written.phase != computed.phase { return .phase }
        if written.role != computed.role { return .role }
        if !sameConditions(written.conditions, computed.conditions) { return .conditions }
        if written.serverVersion != computed.serverVersion { return .serverVersion }
        if written.unhealthySince != computed.unhealthySince { return .unhealthySince }
        let f = max(1, healthCheck.failureThreshold), s = max(1, healthCheck.successThreshold)
        if min(written.consecutiveFailures ?? 0, f) != min(computed.consecutiveFailures ?? 0, f) { return .failureCount }
        if min(written.consecutiveSuccesses ?? 0, s) != min(computed.consecutiveSuccesses ?? 0, s) { return .successCount }
        if latencyLeftBand(written: written.latencyMilliseconds, computed: computed.latencyMilliseconds) { return .latency }
        guard let lastWritten = written.lastProbeTime else { return computed.lastProbeTime == nil ? nil : .refresh }
        if now.timeIntervalSince(lastWritten.date) >= statusRefreshSeconds { return .refresh }
        return nil
    }

    /// True when ``writeReason(written:computed:healthCheck:now:)`` finds a reason.
    public static func needsWrite(written: DatacenterStatus?, computed: DatacenterStatus, healthCheck: EffectiveHealthCheck, now: Date) -> Bool {
        writeReason(written: written, computed: computed, healthCheck: healthCheck, now: now) != nil
    }

    /// Conditions compared by type, ignoring list order.
    static func sameConditions(_ a: [Condition], _ b: [Condition]) -> Bool {
        guard a.count == b.count else { return false }
        return a.allSatisfy { c in b.condition(c.type) == c }
    }

    static func latencyLeftBand(written: Int?, computed: Int?) -> Bool {
        switch (written, computed) {
        case (nil, nil): return false
        case (nil, _), (_, nil): return true
        case (let w?, let c?):
            let band = max(Double(latencyBandMilliseconds), latencyBandFraction * Double(w))
            return Double(abs(c - w)) >= band
        }
    }
}
