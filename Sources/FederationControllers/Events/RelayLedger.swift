import Foundation
import Synchronization

/// What the relay remembers: per member Event, the occurrences already relayed (so an Event is
/// relayed once per new occurrence, never twice for the same one), and per hub owner a token
/// bucket (so a storm of warnings in members becomes at most `burst` events at once and one per
/// `refillSeconds` after that). Time is passed in.
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
        state.withLock { s in
            let key = "\(datacenter) \(id)"
            if let seen = s.relayed[key], seen.occurrences >= occurrences { return .duplicate }
            var bucket = s.buckets[owner] ?? (burst, now)
            bucket.tokens = min(burst, bucket.tokens + max(0, now.timeIntervalSince(bucket.at)) / refillSeconds)
            bucket.at = now
            guard bucket.tokens >= 1 else {
                s.buckets[owner] = bucket
                return .rateLimited
            }
            bucket.tokens -= 1
            s.buckets[owner] = bucket
            s.relayed[key] = (occurrences, now)
            if s.relayed.count > capacity, let oldest = s.relayed.min(by: { $0.value.at < $1.value.at })?.key {
                s.relayed.removeValue(forKey: oldest)
            }
            return .relay
        }
    }
}
