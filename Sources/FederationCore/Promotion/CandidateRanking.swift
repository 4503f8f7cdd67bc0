import FederationAPI
import Foundation

/// The order in which members are considered for an automatic promotion.
public enum CandidateRanking {
    /// The members that may be promoted automatically, best first.
    ///
    /// Eligible: a member of the policy, phase Ready (never Pending, Suspect or Unreachable), not
    /// cordoned (`spec.unschedulable`), and not `excluded` (the primary being replaced). When
    /// `promotion.candidates` is set it is the exclusive list, in its order: members not named
    /// there are never promoted automatically. Otherwise members rank by `spec.priority`
    /// (higher first), then smoothed latency (lower first, unknown last), then name.
    public static func rank(_ members: [MemberView], candidates: [String], excluding excluded: String?) -> [MemberView] {
        let eligible = members.filter { $0.name != excluded && ineligibility(of: $0, candidates: candidates) == nil }
        guard candidates.isEmpty else {
            var seen = Set<String>()
            return candidates.compactMap { name in
                guard seen.insert(name).inserted else { return nil }
                return eligible.first { $0.name == name }
            }
        }
        return eligible.sorted { a, b in
            if a.priority != b.priority { return a.priority > b.priority }
            let la = a.latencyMilliseconds ?? Int.max, lb = b.latencyMilliseconds ?? Int.max
            if la != lb { return la < lb }
            return a.name < b.name
        }
    }

    /// Why a member may not be promoted automatically, or nil when it may.
    public static func ineligibility(of member: MemberView, candidates: [String]) -> String? {
        if !candidates.isEmpty, !candidates.contains(member.name) { return "not in promotion.candidates" }
        if member.unschedulable { return "cordoned" }
        if member.phase != .ready { return member.phase.rawValue }
        return nil
    }

    /// A short account of why no member can be promoted, such as
    /// `us-west Unreachable, eu-central cordoned`. Lists at most `limit` members.
    static func explainNone(_ members: [MemberView], candidates: [String], excluding excluded: String?, limit: Int = 6) -> String {
        let others = members.filter { $0.name != excluded }
        guard !others.isEmpty else { return "the primary is the only member" }
        var parts = others.prefix(limit).map { "\($0.name) \(ineligibility(of: $0, candidates: candidates) ?? "eligible")" }
        if others.count > limit { parts.append("and \(others.count - limit) more") }
        return parts.joined(separator: ", ")
    }
}
