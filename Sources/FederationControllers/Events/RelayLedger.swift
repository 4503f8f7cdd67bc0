import Foundation
import Synchronization

/// What the relay remembers in memory: per member Event, the occurrences already relayed (so an
/// Event is relayed once per new occurrence, never twice for the same one; across restarts the hub
/// Event itself says so, see ``RelayedEvents``), and per hub owner a token bucket (so a storm of
/// warnings in members becomes at most `burst` events at once and one per `refillSeconds` after
/// that). Time is passed in.
final class RelayLedger: Sendable {
    /// The decision for one warning.
    enum Verdict: Equatable, Sendable {
        case relay
        /// Already relayed at this occurrence count.
        case duplicate
        /// The owner's bucket is empty.
        case rateLimited
    }

    private struct State {
        var relayed: [String: (occurrences: Int, at: Date)] = [:]
        var buckets: [WarningOwner: (tokens: Double, at: Date)] = [:]
    }

    let burst: Double
    let refillSeconds: Double
    /// Most Events remembered; the oldest are forgotten first.
    let capacity: Int
    private let state = Mutex(State())

    init(burst: Int = 10, refillSeconds: Double = 6, capacity: Int = 10_000) {
        self.burst = Double(burst)
        self.refillSeconds = refillSeconds
        self.capacity = capacity
    }

    /// Decides, and records a relay: `id` identifies the member Event in its datacenter.
    func admit(datacenter: String, id: String, occurrences: Int, owner: WarningOwner, now: Date) -> Verdict {
        if isRelayed(datacenter: datacenter, id: id, occurrences: occurrences) { return .duplicate }
        guard take(owner: owner, now: now) else { return .rateLimited }
        record(datacenter: datacenter, id: id, occurrences: occurrences, now: now)
        return .relay
    }

    /// True when this member Event was relayed at `occurrences` or more (by this process).
    func isRelayed(datacenter: String, id: String, occurrences: Int) -> Bool {
        state.withLock { ($0.relayed["\(datacenter) \(id)"]?.occurrences ?? 0) >= occurrences }
    }

    /// Takes a token from `owner`'s bucket; false when it is empty.
    func take(owner: WarningOwner, now: Date) -> Bool {
        state.withLock { s in
            var bucket = s.buckets[owner] ?? (burst, now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now.timeIntervalSince(bucket.at)) / refillSeconds)
            bucket.at = now
            defer { s.buckets[owner] = bucket }
            guard bucket.tokens >= 1 else { return false }
            bucket.tokens -= 1
            return true
        }
    }

    /// Remembers that the member Event is relayed at `occurrences` (written now, or found at the hub).
    func record(datacenter: String, id: String, occurrences: Int, now: Date) {
        state.withLock { s in
            let key = "\(datacenter) \(id)"
            s.relayed[key] = (max(occurrences, s.relayed[key]?.occurrences ?? 0), now)
            if s.relayed.count > capacity, let oldest = s.relayed.min(by: { $0.value.at < $1.value.at })?.key {
                s.relayed.removeValue(forKey: oldest)
            }
        }
    }
}
