import FederationCore

/// FNV-1a over the text of every result the benchmark computes, so a faster build can be checked
/// to decide exactly what the previous one did (same seed, same digest).
struct ResultDigest {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Adds a division: replicas by name, what is unplaced, and whether the spread fell short.
    mutating func add(_ division: ReplicaDivision) {
        let replicas = division.replicas.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        add("\(replicas)|\(division.unplaced)|\(division.spreadShort)\n")
    }

    /// Adds a plan: its effects, status and requeue (nothing in it is keyed by a hashed dictionary).
    mutating func add(_ plan: ServicePlan) { add("\(plan)\n") }

    private mutating func add(_ text: String) {
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
    }

    /// The digest in hexadecimal.
    var hex: String { String(value, radix: 16) }
}
