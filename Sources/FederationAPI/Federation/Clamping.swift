import Foundation

extension Comparable {
    /// The value limited to a closed range.
    func clamped(to range: ClosedRange<Self>) -> Self { Swift.min(Swift.max(self, range.lowerBound), range.upperBound) }
}
