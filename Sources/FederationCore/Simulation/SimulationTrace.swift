/// A bounded record of what happened in one schedule, for replay and diagnosis.
public struct SimulationTrace: Hashable, Sendable {
    /// The most lines kept (the newest) once the schedule ends.
    public static let limit = 400
    /// The lines, oldest first; at most ``limit`` once the schedule ended.
    public private(set) var lines: [String] = []
    /// How many older lines were dropped.
    public private(set) var dropped = 0

    /// An empty trace.
    public init() {}

    /// Appends a line for `step`.
    mutating func log(_ step: Int, _ text: String) { lines.append("t=\(step) \(text)") }

    /// Keeps the newest ``limit`` lines.
    mutating func bound() {
        guard lines.count > Self.limit else { return }
        dropped += lines.count - Self.limit
        lines.removeFirst(lines.count - Self.limit)
    }

    /// The last `count` lines.
    public func tail(_ count: Int) -> [String] { Array(lines.suffix(count)) }
}
