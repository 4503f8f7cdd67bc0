import FederationAPI
import Foundation

/// Evidence that more than one authority decides who is primary: the FederationPolicy's status
/// and the members' markers disagree in a way fencing cannot repair on its own.
public struct SplitBrain: Hashable, Sendable {
    /// One conflicting marker.
    public enum Finding: Hashable, Sendable {
        /// The member holds a newer epoch than the policy (for example the hub was restored from an
        /// old backup, or another controller promoted).
        case epochAhead(datacenter: String, epoch: Int64, primary: String?)
        /// The member holds the policy's epoch but names another primary (two promotions minted
        /// the same epoch: two members claim primary for one epoch).
        case otherPrimaryAtEpoch(datacenter: String, epoch: Int64, primary: String?)
        /// The member's marker was written by another FederationPolicy.
        case foreignPolicy(datacenter: String, policy: String)

        /// The member the finding is about.
        public var datacenter: String {
            switch self {
            case .epochAhead(let d, _, _), .otherPrimaryAtEpoch(let d, _, _), .foreignPolicy(let d, _): d
            }
        }
    }

    /// The findings, ordered by member name.
    public var findings: [Finding]
    /// The highest epoch known: the policy's or any marker's. A person acknowledges the split brain
    /// by writing this number into ``PromotionAnnotation/resolveSplitBrain``.
    public var highestEpoch: Int64

    /// Creates a split-brain report.
    public init(findings: [Finding], highestEpoch: Int64) {
        self.findings = findings
        self.highestEpoch = highestEpoch
    }

    /// What happened and what a person must do, in one paragraph (for the SplitBrainDetected
    /// condition and the blocked decision).
    public func message(policy: String) -> String {
        let facts = findings.map { finding -> String in
            switch finding {
            case .epochAhead(let d, let e, let p):
                "\(d) holds epoch \(e) naming \(p ?? "no primary") — newer than this policy"
            case .otherPrimaryAtEpoch(let d, let e, let p):
                "\(d) holds epoch \(e) naming \(p ?? "no primary") as primary — another primary for the policy's epoch"
            case .foreignPolicy(let d, let other):
                "\(d) carries the marker of FederationPolicy \(other)"
            }
        }
        return "Split brain: \(facts.joined(separator: "; ")). Concord stopped promoting and fencing. "
            + "Make sure a single Concord controller manages these datacenters and each belongs to one FederationPolicy, "
            + "set spec.primary to the datacenter that must be primary, then run "
            + "`kubectl annotate federationpolicy \(policy) \(PromotionAnnotation.resolveSplitBrain)=\(highestEpoch) --overwrite`; "
            + "Concord then promotes spec.primary at epoch \(highestEpoch + 1) and fences every other member."
    }
}

extension Fencing {
    /// Detects a split brain from the markers read in this pass.
    ///
    /// Findings (markers at epoch 0, the unclaimed placeholder, are ignored):
    /// - a marker with a newer epoch than the policy's (`status.epoch`, 0 before the first promotion);
    /// - a marker at the policy's epoch naming a primary other than `status.primary` — which also
    ///   covers two reachable members claiming primary for one epoch;
    /// - a marker written by another FederationPolicy.
    ///
    /// Markers older than the policy's epoch are not findings, even when two of them claimed
    /// primary for the same old epoch: the newer epoch already fences them, and fencing demotes them.
    ///
    /// - Returns: nil when status and markers agree.
    public static func detectSplitBrain(policy: String, primary: String?, epoch: Int64, markers: [MemberMarker]) -> SplitBrain? {
        var findings: [SplitBrain.Finding] = []
        var highest = epoch
        for m in markers.sorted(by: { $0.datacenter < $1.datacenter }) {
            if m.belongsToAnotherPolicy(than: policy), let owner = m.marker?.policy {
                findings.append(.foreignPolicy(datacenter: m.datacenter, policy: owner))
                continue
            }
            guard m.epoch > 0 else { continue }
            if m.epoch > epoch {
                findings.append(.epochAhead(datacenter: m.datacenter, epoch: m.epoch, primary: m.primary))
                highest = max(highest, m.epoch)
            } else if m.epoch == epoch, m.primary != primary {
                findings.append(.otherPrimaryAtEpoch(datacenter: m.datacenter, epoch: m.epoch, primary: m.primary))
            }
        }
        return findings.isEmpty ? nil : SplitBrain(findings: findings, highestEpoch: highest)
    }
}
