import FederationCore
import Foundation

/// FNV-1a over every result the benchmark computes, so a faster build can be checked to decide
/// exactly what the previous one did (same seed, same digest). Divisions and effects are written
/// out field by field and statuses as JSON with sorted keys: no reflection, which at 1,000
/// datacenters per service took minutes where the timed work takes seconds.
struct ResultDigest {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    /// Adds a division: replicas by name, what is unplaced, and whether the spread fell short.
    mutating func add(_ division: ReplicaDivision) {
        for (name, count) in division.replicas.sorted(by: { $0.key < $1.key }) {
            add(name)
            add(count)
        }
        add("|\(division.unplaced)|\(division.spreadShort)\n")
    }

    /// Adds a plan: its effects in order, its status and its requeue.
    mutating func add(_ plan: ServicePlan) {
        for effect in plan.effects {
            switch effect {
            case .scale(let datacenter, let replicas):
                add("scale:\(datacenter)")
                add(replicas)
            case .switchTraffic(let to): add("switch:\(to)")
            case .route(let to):
                add("route:")
                for name in to { add(name) }
            case .event(let warning, let reason, let message): add("event:\(warning):\(reason):\(message)")
            }
        }
        // Encoding a status the planner built cannot fail; a failure would be a bug worth stopping for.
        let json = try! encoder.encode(plan.status)
        for byte in json { mix(byte) }
        add("|\(plan.requeueAfter.map { "\($0)" } ?? "-")\n")
    }

    private mutating func add(_ number: Int) {
        withUnsafeBytes(of: number.littleEndian) { for byte in $0 { mix(byte) } }
    }

    private mutating func add(_ text: String) {
        for byte in text.utf8 { mix(byte) }
        mix(0)
    }

    private mutating func mix(_ byte: UInt8) { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }

    /// The digest in hexadecimal.
    var hex: String { String(value, radix: 16) }
}
